// A client of Envoy's rate limit service (envoy.service.ratelimit.v3) independent of the
// server: @grpc/grpc-js with @grpc/proto-loader, reading src/rls/proto at run time. Also
// HAProxy in front of the service, speaking HTTP/2 to it, as a load balancer would.

import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The packages live with the browser tests' (tests/e2e/package.json; scripts/setup.sh installs).
const require = createRequire(new URL('../e2e/package.json', import.meta.url));
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const protoDir = fileURLToPath(new URL('../../src/rls/proto', import.meta.url));
const definition = protoLoader.loadSync('envoy/service/ratelimit/v3/rls.proto', {
  includeDirs: [protoDir],
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
});
const { RateLimitService } = grpc.loadPackageDefinition(definition).envoy.service.ratelimit.v3;

export const Status = grpc.status;

export class RlsClient {
  constructor(address) {
    this.client = new RateLimitService(address, grpc.credentials.createInsecure());
  }

  // ShouldRateLimit: resolves {response, trailers}, rejects with the gRPC error (code, details).
  call(request) {
    return new Promise((resolve, reject) => {
      let trailers = null;
      const call = this.client.ShouldRateLimit(request, (err, response) => {
        if (err) reject(err);
        else resolve({ response, trailers: () => trailers });
      });
      call.on('status', (s) => { trailers = s.metadata.getMap(); });
    });
  }

  close() { this.client.close(); }
}

// A descriptor of `entries` ({key: value}), with its own hits_addend when given.
export function descriptor(entries, hitsAddend) {
  const d = { entries: Object.entries(entries).map(([key, value]) => ({ key, value })) };
  if (hitsAddend !== undefined) d.hits_addend = { value: hitsAddend };
  return d;
}

// The response's headers as {name: value}.
export function headersOf(response) {
  return Object.fromEntries(response.response_headers_to_add.map((h) => [h.key, h.value]));
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// HAProxy on a free loopback port, forwarding HTTP/2 to the gRPC port `backendPort`. Its
// connections come from `sourceAddress`, so the server can tell them apart.
export class HaProxy {
  static async start(binary, dir, backendPort, sourceAddress) {
    const port = await freePort();
    const config = join(dir, 'haproxy.cfg');
    writeFileSync(config, [
      'global',
      '  maxconn 4096',
      'defaults',
      '  mode http',
      '  timeout connect 5s',
      '  timeout client 30s',
      '  timeout server 30s',
      'frontend rls',
      `  bind 127.0.0.1:${port} proto h2`,
      '  default_backend gaia',
      'backend gaia',
      `  server gaia 127.0.0.1:${backendPort} proto h2 source ${sourceAddress}`,
      '',
    ].join('\n'));
    const child = spawn(binary, ['-db', '-f', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    const proxy = new HaProxy(child, port);
    await proxy.waitListening();
    return proxy;
  }

  constructor(child, port) {
    this.child = child;
    this.port = port;
    this.output = '';
    child.stdout.on('data', (d) => { this.output += d; });
    child.stderr.on('data', (d) => { this.output += d; });
    this.exited = new Promise((resolve) => child.once('exit', resolve));
  }

  async waitListening() {
    for (let i = 0; i < 200; ++i) {
      if (this.child.exitCode !== null) throw new Error(`haproxy exited:\n${this.output}`);
      const open = await new Promise((resolve) => {
        const s = net.connect(this.port, '127.0.0.1', () => { s.destroy(); resolve(true); });
        s.once('error', () => resolve(false));
      });
      if (open) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`haproxy did not listen on ${this.port}:\n${this.output}`);
  }

  async stop() {
    if (this.child.exitCode === null) {
      this.child.kill('SIGTERM');
      await this.exited;
    }
  }
}
