// Envoy's rate limit service (docs/envoy.md) against the real gaia_server, through an
// independent gRPC client (grpc-js, the .proto files read at run time), directly and through
// HAProxy speaking HTTP/2 in front. Run by ctest (tests/integration/CMakeLists.txt) with
// GAIA_SERVER and GAIA_HAPROXY set.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { GaiaServer } from '../e2e/server.mjs';
import { descriptor, HaProxy, headersOf, RlsClient, Status } from './rls_client.mjs';

// HAProxy's connections come from this address, the only one the server trusts to name users.
const GATEWAY_ADDRESS = '127.0.0.2';

let server;
let proxy;
let direct;   // untrusted: from 127.0.0.1
let gateway;  // through HAProxy: trusted

async function newUser(name, tier = 'default', limits = []) {
  const created = await server.call('POST', '/api/admin/users', { name, tier });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  if (limits.length > 0) {
    const set = await server.call('PUT', `/api/admin/users/${name}/overrides`, { limits });
    assert.equal(set.status, 200, JSON.stringify(set.body));
  }
  const key = await server.call('POST', `/api/admin/users/${name}/keys`, {});
  assert.equal(key.status, 201, JSON.stringify(key.body));
  return key.body;
}

const dayQuota = (amount, type) => ({ kind: 'calendar', period: 'day', amount, type });

function check(key, type, extra = {}) {
  return direct.call({ domain: 'gaia', descriptors: [descriptor({ api_key: key, type })], ...extra });
}

// fn()'s first answer other than null, asked again until 20 s have passed.
async function eventually(fn) {
  for (const deadline = Date.now() + 20_000; Date.now() < deadline;) {
    const value = await fn();
    if (value !== null) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail('no answer within 20 s');
}

async function rejected(promise) {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  assert.fail('the call succeeded');
}

before(async () => {
  server = await GaiaServer.start(process.env.GAIA_SERVER, {
    GAIA_RLS_PORT: '0',
    GAIA_RLS_DOMAINS: 'gaia; edge: generic_key=shell, path:/v1/tests=test',
    GAIA_RLS_TRUSTED_PEERS: GATEWAY_ADDRESS,
    // Several queues, so the exact admission below is of calls answered on several threads.
    GAIA_RLS_THREADS: '3',
    GAIA_METRICS_OPEN: 'true',
  });
  const line = await server.waitForLine('[INFO] Envoy rate limit service (gRPC) on ', 10_000);
  const rlsPort = Number(line.slice(line.lastIndexOf(':') + 1));
  proxy = await HaProxy.start(process.env.GAIA_HAPROXY, server.dir, rlsPort, GATEWAY_ADDRESS);
  direct = new RlsClient(`127.0.0.1:${rlsPort}`);
  gateway = new RlsClient(`127.0.0.1:${proxy.port}`);
});

after(async () => {
  direct?.close();
  gateway?.close();
  await proxy?.stop();
  await server?.stop();
});

describe('ShouldRateLimit', () => {
  test('an admission carries the deciding limit, what remains, the reset and the IETF fields', async () => {
    const { key } = await newUser('ada', 'default', [dayQuota(20, 'shell')]);
    const { response } = await check(key, 'shell');
    assert.equal(response.overall_code, 'OK');
    assert.equal(response.statuses.length, 1);
    const status = response.statuses[0];
    assert.equal(status.code, 'OK');
    assert.deepEqual(status.current_limit,
      { name: 'shell-day', requests_per_unit: 20, unit: 'DAY' });
    assert.equal(status.limit_remaining, 19);
    const reset = status.duration_until_reset.seconds;
    assert.ok(reset > 0 && reset <= 86_400, `reset in ${reset} s`);
    const headers = headersOf(response);
    assert.equal(headers['RateLimit-Policy'], '"shell-day";q=20;w=86400');
    assert.match(headers.RateLimit, /^"shell-day";r=19;t=\d+$/);
    assert.equal(headers['Retry-After'], undefined);
  });

  test('the counters are those of POST /api/v1/check, and the fields are written alike', async () => {
    const { key } = await newUser('bea', 'default', [dayQuota(10, 'shell')]);
    await check(key, 'shell');
    const http = await server.call('POST', '/api/v1/check', { type: 'shell' }, key);
    assert.equal(http.status, 200);
    assert.equal(http.body.limit.remaining, 8);
    const { response } = await check(key, 'shell');
    assert.equal(response.statuses[0].limit_remaining, 7);
    assert.equal(headersOf(response)['RateLimit-Policy'], http.headers.get('ratelimit-policy'));
  });

  test('over the limit: OVER_LIMIT, nothing remains, Retry-After, and a violation listed', async () => {
    const { key } = await newUser('cid', 'default', [dayQuota(2, 'code')]);
    await check(key, 'code');
    await check(key, 'code');
    const { response } = await check(key, 'code');
    assert.equal(response.overall_code, 'OVER_LIMIT');
    assert.equal(response.statuses[0].code, 'OVER_LIMIT');
    assert.equal(response.statuses[0].limit_remaining, 0);
    const headers = headersOf(response);
    assert.match(headers.RateLimit, /^"code-day";r=0;t=\d+$/);
    assert.ok(Number(headers['Retry-After']) > 0);
    const http = await server.call('POST', '/api/v1/check', { type: 'code' }, key);
    assert.equal(http.status, 429);
    assert.equal(http.headers.get('retry-after'), headers['Retry-After']);
    // Violations are written in the store's next group commit, folded into episodes (the two
    // refusals of one second are one episode of count 2).
    const listed = await eventually(async () => {
      const res = await server.call('GET', '/api/admin/quotas/violations?user=cid');
      const refusals = (res.body.violations ?? []).reduce((n, v) => n + v.count, 0);
      return refusals === 2 ? res.body.violations : null;  // gRPC's and HTTP's
    });
    assert.ok(listed.every((v) => v.limit === 'code-day' && v.type === 'code'));
  });

  test('hits_addend: the request\'s is the cost, a descriptor\'s own wins, and 0 only reads', async () => {
    const { key } = await newUser('dev', 'default', [dayQuota(100, 'test')]);
    let { response } = await check(key, 'test', { hits_addend: 5 });
    assert.equal(response.statuses[0].limit_remaining, 95);
    ({ response } = await direct.call({
      domain: 'gaia', hits_addend: 5,
      descriptors: [descriptor({ api_key: key, type: 'test' }, 3)],
    }));
    assert.equal(response.statuses[0].limit_remaining, 92);
    ({ response } = await direct.call({
      domain: 'gaia', descriptors: [descriptor({ api_key: key, type: 'test' }, 0)],
    }));
    assert.equal(response.overall_code, 'OK');
    assert.equal(response.statuses[0].limit_remaining, 92);
    ({ response } = await check(key, 'test'));  // unset: 1
    assert.equal(response.statuses[0].limit_remaining, 91);
  });

  test('an unknown key is OVER_LIMIT, never OK', async () => {
    const { response } = await check('not-a-key-of-gaia', 'shell');
    assert.equal(response.overall_code, 'OVER_LIMIT');
    assert.equal(response.statuses[0].code, 'OVER_LIMIT');
    assert.equal(response.statuses[0].current_limit, null);
  });

  test('a revoked key is OVER_LIMIT from the next call on', async () => {
    const { key, id } = await newUser('eli');
    assert.equal((await check(key, 'shell')).response.overall_code, 'OK');
    const revoked = await server.call('DELETE', `/api/admin/keys/${id}`);
    assert.equal(revoked.status, 200);
    assert.equal((await check(key, 'shell')).response.overall_code, 'OVER_LIMIT');
  });

  test('several descriptors: each is a check, and one refusal makes the whole OVER_LIMIT', async () => {
    const { key } = await newUser('fay', 'default', [dayQuota(1, 'review'), dayQuota(50, 'shell')]);
    await check(key, 'review');
    const { response } = await direct.call({
      domain: 'gaia',
      descriptors: [descriptor({ api_key: key, type: 'shell' }),
        descriptor({ api_key: key, type: 'review' })],
    });
    assert.equal(response.overall_code, 'OVER_LIMIT');
    assert.deepEqual(response.statuses.map((s) => s.code), ['OK', 'OVER_LIMIT']);
    assert.equal(response.statuses[0].limit_remaining, 49);
    const headers = headersOf(response);
    assert.equal(headers['RateLimit-Policy'], '"shell-day";q=50;w=86400, "review-day";q=1;w=86400');
  });

  test('reputation scales the limit, never the q of RateLimit-Policy', async () => {
    const { key } = await newUser('ren', 'default', [dayQuota(1, 'review'), dayQuota(100, 'shell')]);
    await check(key, 'review');
    assert.equal((await check(key, 'review')).response.overall_code, 'OVER_LIMIT');
    // The refusal lowers ren's reputation, and with it the limit (read only: cost 0).
    const scaled = await eventually(async () => {
      const { response } = await direct.call({
        domain: 'gaia', descriptors: [descriptor({ api_key: key, type: 'shell' }, 0)],
      });
      return response.statuses[0].current_limit.requests_per_unit < 100 ? response : null;
    });
    const limit = scaled.statuses[0].current_limit.requests_per_unit;
    assert.equal(scaled.statuses[0].limit_remaining, limit);
    const headers = headersOf(scaled);
    assert.equal(headers['RateLimit-Policy'], '"shell-day";q=100;w=86400');
    assert.match(headers.RateLimit, new RegExp(`^"shell-day";r=${limit};t=\\d+$`));
    const http = await server.call('POST', '/api/v1/check', { type: 'shell' }, key);
    assert.equal(http.status, 200, JSON.stringify(http.body));
    assert.equal(http.headers.get('ratelimit-policy'), headers['RateLimit-Policy']);
  });

  test('an answer carries its own call\'s fields only, whatever calls came before', async () => {
    // The server reuses a call's messages for later calls: nothing of a larger answer (more
    // statuses, Retry-After, a descriptor's cost) may show in the next ones.
    const { key } = await newUser('uma', 'default', [dayQuota(1, 'review'), dayQuota(1000, 'shell')]);
    await check(key, 'review');
    let remaining = 1000;
    for (let round = 0; round < 5; ++round) {
      const big = await direct.call({
        domain: 'gaia',
        descriptors: [descriptor({ api_key: key, type: 'shell' }, 3),
          descriptor({ api_key: key, type: 'review' }), descriptor({ api_key: key, type: 'shell' })],
      });
      remaining -= 4;
      assert.equal(big.response.statuses.length, 3);
      assert.ok(Number(headersOf(big.response)['Retry-After']) > 0);
      const small = await Promise.all(Array.from({ length: 8 }, () => check(key, 'shell')));
      remaining -= 8;
      const left = [];
      for (const { response } of small) {
        assert.equal(response.overall_code, 'OK');
        assert.equal(response.statuses.length, 1);
        assert.equal(response.statuses[0].current_limit.name, 'shell-day');
        assert.deepEqual(response.response_headers_to_add.map((h) => h.key),
          ['RateLimit-Policy', 'RateLimit']);
        left.push(response.statuses[0].limit_remaining);
      }
      assert.equal(Math.min(...left), remaining);
    }
  });

  test('a domain maps other entries to a type', async () => {
    const { key } = await newUser('gus', 'default', [dayQuota(30, 'shell'), dayQuota(40, 'test')]);
    let { response } = await direct.call({
      domain: 'edge', descriptors: [descriptor({ api_key: key, generic_key: 'anything' })],
    });
    assert.equal(response.statuses[0].current_limit.name, 'shell-day');
    ({ response } = await direct.call({
      domain: 'edge', descriptors: [descriptor({ path: '/v1/tests', api_key: key })],
    }));
    assert.equal(response.statuses[0].current_limit.name, 'test-day');
    assert.equal(response.statuses[0].limit_remaining, 39);
  });

  test('a request over 64 KiB is refused before it is read, and checks nothing', async () => {
    // gRPC's message-size filter holds this limit; a server option dropping the filter (such as
    // gRPC's minimal stack) would lift it.
    const { key } = await newUser('vic', 'default', [dayQuota(10, 'shell')]);
    const err = await rejected(direct.call({
      domain: 'gaia',
      descriptors: [descriptor({ api_key: key, type: 'shell', note: 'x'.repeat(70_000) })],
    }));
    assert.equal(err.code, Status.RESOURCE_EXHAUSTED);
    const { response } = await check(key, 'shell');
    assert.equal(response.statuses[0].limit_remaining, 9);
  });

  test('malformed requests are refused naming the field, and change nothing', async () => {
    const { key } = await newUser('hal', 'default', [dayQuota(10, 'shell')]);
    const cases = [
      [{ domain: 'gaia', descriptors: [] }, Status.INVALID_ARGUMENT, /^descriptors: /],
      [{ domain: '', descriptors: [descriptor({ api_key: key, type: 'shell' })] },
        Status.INVALID_ARGUMENT, /^domain: /],
      [{ domain: 'nope', descriptors: [descriptor({ api_key: key, type: 'shell' })] },
        Status.NOT_FOUND, /^domain: no mapping named "nope"/],
      [{ domain: 'gaia', descriptors: [descriptor({ type: 'shell' })] },
        Status.INVALID_ARGUMENT, /^descriptors\[0\]\.entries: needs an api_key or a user/],
      [{ domain: 'gaia', descriptors: [descriptor({ api_key: key })] },
        Status.INVALID_ARGUMENT, /^descriptors\[0\]\.entries: needs a type/],
      [{ domain: 'gaia', descriptors: [descriptor({ api_key: key, type: 'shell' }),
        descriptor({ api_key: key, type: 'dance' })] },
        Status.INVALID_ARGUMENT, /^descriptors\[1\]\.entries\[1\]\.value: no command type named "dance"/],
      [{ domain: 'gaia', hits_addend: 2_000_000, descriptors: [descriptor({ api_key: key, type: 'shell' })] },
        Status.INVALID_ARGUMENT, /^hits_addend: /],
      [{ domain: 'gaia', descriptors: [descriptor({ api_key: key, type: 'shell' }, 5_000_000)] },
        Status.INVALID_ARGUMENT, /^descriptors\[0\]\.hits_addend: /],
      [{ domain: 'gaia', descriptors: [descriptor({ user: 'hal', type: 'shell' })] },
        Status.PERMISSION_DENIED, /^descriptors\[0\]\.entries\[0\]: a user entry is accepted only from a trusted peer/],
    ];
    for (const [request, code, details] of cases) {
      const err = await rejected(direct.call(request));
      assert.equal(err.code, code, `${JSON.stringify(request)}: ${err.details}`);
      assert.match(err.details, details);
    }
    const { response } = await check(key, 'shell');
    assert.equal(response.statuses[0].limit_remaining, 9);  // only this call counted
  });
});

describe('through HAProxy (HTTP/2), a trusted gateway', () => {
  test('a user entry names the principal', async () => {
    await newUser('ivy', 'default', [dayQuota(5, 'shell')]);
    const { response } = await gateway.call({
      domain: 'gaia', descriptors: [descriptor({ user: 'ivy', type: 'shell' })],
    });
    assert.equal(response.overall_code, 'OK');
    assert.equal(response.statuses[0].limit_remaining, 4);
    const unknown = await gateway.call({
      domain: 'gaia', descriptors: [descriptor({ user: 'nobody', type: 'shell' })],
    });
    assert.equal(unknown.response.overall_code, 'OVER_LIMIT');
  });

  test('500 concurrent calls admit exactly the limit, and the HTTP check sees it used up', async () => {
    const { key } = await newUser('jon', 'default', [dayQuota(200, 'test')]);
    const calls = Array.from({ length: 500 }, () => gateway.call({
      domain: 'gaia', descriptors: [descriptor({ api_key: key, type: 'test' })],
    }));
    const codes = (await Promise.all(calls)).map(({ response }) => response.overall_code);
    assert.equal(codes.filter((c) => c === 'OK').length, 200);
    assert.equal(codes.filter((c) => c === 'OVER_LIMIT').length, 300);
    const http = await server.call('POST', '/api/v1/check', { type: 'test' }, key);
    assert.equal(http.status, 429);
  });
});

describe('operations', () => {
  test('/metrics counts calls by domain and code, with a latency histogram', async () => {
    const { key } = await newUser('kim');
    await check(key, 'shell');
    await rejected(direct.call({ domain: 'nope', descriptors: [] }));
    const res = await fetch(`${server.base}/metrics`);
    const text = await res.text();
    const count = (labels) => {
      const m = text.match(new RegExp(`^gaia_rls_requests_total\\{${labels}\\} (\\d+)$`, 'm'));
      return m ? Number(m[1]) : NaN;
    };
    assert.ok(count('domain="gaia",code="OK"') >= 1);
    assert.ok(count('domain="unknown",code="NOT_FOUND"') >= 1);
    assert.match(text, /^gaia_rls_request_duration_seconds_count [1-9]\d*$/m);
    assert.match(text, /^gaia_checks_total\{type="shell",decision="admitted",limit="shell-day"\} [1-9]/m);
  });

  test('the health details show the listener', async () => {
    const health = await server.call('GET', '/api/admin/health');
    assert.equal(health.body.rls.listening, true);
    assert.ok(health.body.rls.port > 0);
    assert.equal(health.body.rls.threads, 3);
    assert.deepEqual(health.body.rls.domains, ['gaia', 'edge']);
  });
});

// Another process holds the SQLite file's write lock until release() (Python's sqlite3).
async function lockDatabase(path) {
  const locker = spawn('python3', ['-c', [
    'import sqlite3, sys',
    'c = sqlite3.connect(sys.argv[1], timeout=10, isolation_level=None)',
    'c.execute("BEGIN EXCLUSIVE")',
    'print("locked", flush=True)',
    'sys.stdin.read()',
    'c.execute("COMMIT")',
  ].join('\n'), path], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    locker.stdout.once('data', resolve);
    locker.once('exit', () => reject(new Error('the locker exited')));
  });
  return {
    release: () => new Promise((resolve) => { locker.once('exit', resolve); locker.stdin.end(); }),
  };
}

describe('while the database is away, the failure policy decides and says so', () => {
  for (const policy of ['closed', 'open']) {
    test(`GAIA_STORE_FAILURE=${policy}`, async () => {
      const node = await GaiaServer.start(process.env.GAIA_SERVER,
        { GAIA_RLS_PORT: '0', GAIA_STORE_FAILURE: policy });
      const line = await node.waitForLine('[INFO] Envoy rate limit service (gRPC) on ', 10_000);
      const client = new RlsClient(`127.0.0.1:${line.slice(line.lastIndexOf(':') + 1)}`);
      try {
        const created = await node.call('POST', '/api/admin/users', { name: 'lee' });
        assert.equal(created.status, 201);
        const { key } = (await node.call('POST', '/api/admin/users/lee/keys', {})).body;
        const ask = () => client.call({
          domain: 'gaia', descriptors: [descriptor({ api_key: key, type: 'shell' })],
        });
        const lock = await lockDatabase(join(node.dir, 'gaia.db'));
        // The next write waits out SQLite's busy timeout, then the store journals.
        const answer = await eventually(async () => {
          const a = await ask();
          return a.trailers()?.['gaia-store'] ? a : null;
        });
        await lock.release();
        const note = answer.trailers()['gaia-store'];
        if (policy === 'closed') {
          assert.equal(answer.response.overall_code, 'OVER_LIMIT');
          assert.equal(headersOf(answer.response)['Retry-After'], '5');
          assert.match(note, /failure policy closed: admissions paused/);
        } else {
          assert.equal(answer.response.overall_code, 'OK');
          assert.match(note, /failure policy open: admitting/);
        }
      } finally {
        client.close();
        await node.stop();
      }
    });
  }
});

// A fake /proc with `memPct` of memory in use and no CPU load, for GAIA_PROC_ROOT.
function loadedProcRoot(memPct) {
  const root = mkdtempSync(join(tmpdir(), 'gaia-rls-proc-'));
  mkdirSync(join(root, 'proc'));
  writeFileSync(join(root, 'proc', 'stat'), readFileSync('/proc/stat', 'utf8').split('\n')[0] + '\n');
  const totalKb = 8_000_000;
  writeFileSync(join(root, 'proc', 'meminfo'),
    `MemTotal: ${totalKb} kB\nMemFree: 1000 kB\nMemAvailable: ${totalKb * (100 - memPct) / 100} kB\n`);
  return root;
}

describe('at throttle factor 0 every descriptor is OVER_LIMIT, consuming nothing', () => {
  for (const [stop, retryAfter] of [['refuse', '5'], ['wait', '1']]) {
    test(`GAIA_THROTTLE_STOP=${stop}`, async () => {
      const node = await GaiaServer.start(process.env.GAIA_SERVER,
        { GAIA_RLS_PORT: '0', GAIA_PROC_ROOT: loadedProcRoot(98), GAIA_THROTTLE_STOP: stop });
      const line = await node.waitForLine('[INFO] Envoy rate limit service (gRPC) on ', 10_000);
      const client = new RlsClient(`127.0.0.1:${line.slice(line.lastIndexOf(':') + 1)}`);
      try {
        assert.equal((await node.call('POST', '/api/admin/users', { name: 'lee' })).status, 201);
        const { key } = (await node.call('POST', '/api/admin/users/lee/keys', {})).body;
        // Asked before the throttle has read the load, the check would admit.
        await eventually(async () => {
          const health = (await node.call('GET', '/api/admin/health')).body;
          return health.executor.throttle_factor === 0 ? true : null;
        });
        const answer = await eventually(async () => {
          const a = await client.call({
            domain: 'gaia',
            descriptors: [descriptor({ api_key: key, type: 'shell' }),
              descriptor({ api_key: key, type: 'test' })],
          });
          return a.response.overall_code === 'OVER_LIMIT' ? a : null;
        });
        assert.deepEqual(answer.response.statuses.map((s) => s.code), ['OVER_LIMIT', 'OVER_LIMIT']);
        assert.equal(headersOf(answer.response)['Retry-After'], retryAfter);
        assert.match(answer.trailers()['gaia-throttle'], /factor 0/);
        const lee = (await node.call('GET', '/api/admin/users/lee')).body;
        assert.ok(lee.quota.every((q) => q.used === 0), JSON.stringify(lee.quota));
      } finally {
        client.close();
        await node.stop();
      }
    });
  }
});
