// A real gaia_server for the browser tests: a fresh temporary data directory with SQLite,
// a known admin key, a loopback port the kernel picks (port 0), and a fake /proc whose load never moves (so the
// machine running the tests never throttles the server under test).

import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ADMIN_KEY = 'e2e-dashboard-admin-key-0123456789abcdef';

export class GaiaServer {
  // `extraEnv` adds settings (or overrides these) for one test's needs.
  static async start(binary, extraEnv = {}) {
    const dir = mkdtempSync(join(tmpdir(), 'gaia-e2e-'));
    mkdirSync(join(dir, 'proc'));
    // A /proc/stat that never moves: no CPU load is measured. Memory: 40 % used.
    const firstLine = readFileSync('/proc/stat', 'utf8').split('\n')[0];
    writeFileSync(join(dir, 'proc', 'stat'), firstLine + '\n');
    const totalKb = 8_000_000;
    writeFileSync(join(dir, 'proc', 'meminfo'),
      `MemTotal: ${totalKb} kB\nMemFree: 1000 kB\nMemAvailable: ${totalKb * 0.6} kB\n`);
    const env = {
      PATH: process.env.PATH,
      HOME: dir,
      DATABASE_URL: `sqlite:${join(dir, 'gaia.db')}`,
      GAIA_DATA_DIR: join(dir, 'var'),
      GAIA_ADMIN_KEY: ADMIN_KEY,
      PORT: '0',  // the server reports the port it got
      GAIA_PROC_ROOT: dir,
      GAIA_ALERT_INTERVAL_S: '1',  // alerts fire within a second of their condition
      GAIA_CONFIRM_APPROVAL_WAIT_S: '60',  // agents' asked-about commands wait for an admin
      GAIA_ANALYTICS_FLUSH_S: '1',  // reports see checks within a second
      ...extraEnv,
    };
    const child = spawn(binary, [], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const server = new GaiaServer(child, dir);
    const starting = await server.waitForLine('[INFO] Starting HTTP server on ', 30_000);
    server.port = Number(starting.slice(starting.lastIndexOf(':') + 1));
    server.base = `http://127.0.0.1:${server.port}`;
    await server.waitForLine('[INFO] Health:', 30_000);
    return server;
  }

  constructor(child, dir) {
    this.child = child;
    this.dir = dir;
    this.port = 0;  // known once the server says where it listens
    this.base = '';
    this.stdout = '';
    this.stderr = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d) => { this.stdout += d; });
    child.stderr.on('data', (d) => { this.stderr += d; });
    this.stopping = false;
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    // A server that ends on its own fails every test after it: say how, with its last words.
    this.exited.then(({ code, signal }) => {
      if (this.stopping) return;
      const tail = (text) => text.split('\n').slice(-60).join('\n');
      console.error(`gaia_server exited by itself (code ${code}, signal ${signal}); its output ended:\n` +
        `${tail(this.stdout)}\n${tail(this.stderr)}`);
    });
  }

  waitForLine(prefix, timeoutMs) {
    return new Promise((resolve, reject) => {
      const check = () => {
        // Each log line begins with its RFC 3339 time: the message follows the first space.
        const line = this.stdout.split('\n')
          .map((l) => (/^\d{4}-\d\d-\d\dT\S+ /.test(l) ? l.slice(l.indexOf(' ') + 1) : l))
          .find((l) => l.startsWith(prefix));
        if (line !== undefined) {
          cleanup();
          resolve(line);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`gaia_server printed no "${prefix}" line:\n${this.stdout}\n${this.stderr}`));
      }, timeoutMs);
      const onExit = () => {
        cleanup();
        reject(new Error(`gaia_server exited:\n${this.stdout}\n${this.stderr}`));
      };
      const cleanup = () => {
        clearTimeout(timer);
        this.child.stdout.off('data', check);
        this.child.off('exit', onExit);
      };
      this.child.stdout.on('data', check);
      this.child.once('exit', onExit);
      check();
    });
  }

  // fetch() with a Bearer key; the answer as {status, headers, body (parsed JSON or text)}.
  async call(method, path, body, key = ADMIN_KEY) {
    const headers = { Authorization: `Bearer ${key}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(this.base + path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed = text;
    try { parsed = JSON.parse(text); } catch { /* not JSON */ }
    return { status: res.status, headers: res.headers, body: parsed };
  }

  async stop() {
    this.stopping = true;
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
      await this.exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
