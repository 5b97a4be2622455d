// The dashboard's live feed (web/js/live.js) without a browser: a fake WebSocket and captured
// timers show the reconnection backoff (1 s doubling to 30 s, reset once connected), the
// connection states the page shows, and messages reaching the listeners of their type.

import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';

class FakeSocket {
  static all = [];
  constructor(url) {
    this.url = url;
    this.closedWith = null;
    FakeSocket.all.push(this);
  }
  close(code) {
    this.closedWith = code;
  }
  // What the server does to the page.
  open() { this.onopen?.(); }
  drop() { this.onclose?.(); }
  send(text) { this.onmessage?.({ data: text }); }
}

let timers = [];
beforeEach(() => {
  FakeSocket.all = [];
  timers = [];
  globalThis.location = { protocol: 'http:', host: '127.0.0.1:8080' };
  globalThis.WebSocket = FakeSocket;
  globalThis.setTimeout = (fn, ms) => { timers.push({ fn, ms }); return timers.length; };
  globalThis.clearTimeout = () => {};
  Math.random = () => 0.5;  // no jitter: the delays are exact
});

const { LiveFeed } = await import('../../web/js/live.js');

function runNextTimer() {
  const t = timers.shift();
  assert.ok(t, 'no retry was scheduled');
  t.fn();
  return t.ms;
}

test('connects to the admin feed of the same host, without a key in the URL', () => {
  const feed = new LiveFeed();
  feed.start();
  assert.equal(FakeSocket.all.length, 1);
  assert.equal(FakeSocket.all[0].url, 'ws://127.0.0.1:8080/ws/admin/quotas');
});

test('retries with exponential backoff up to 30 s, and starts over once connected', () => {
  const feed = new LiveFeed();
  const states = [];
  feed.onState((s, d) => states.push(d.in_ms ? `${s} ${d.in_ms}` : s));
  feed.start();
  const delays = [];
  for (let i = 0; i < 7; i++) {
    FakeSocket.all.at(-1).drop();
    delays.push(runNextTimer());
  }
  assert.deepEqual(delays, [1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  FakeSocket.all.at(-1).open();
  assert.equal(feed.state, 'live');
  FakeSocket.all.at(-1).drop();
  assert.equal(runNextTimer(), 1000);
  assert.deepEqual(states.slice(0, 4), ['offline', 'connecting', 'reconnecting 1000', 'connecting']);
});

test('messages reach the listeners of their type; malformed ones are ignored', () => {
  const feed = new LiveFeed();
  const got = [];
  feed.on('violation', (d, ts) => got.push(['violation', d.user, ts]));
  feed.on('stats', (d) => got.push(['stats', d.admissions]));
  feed.start();
  const ws = FakeSocket.all[0];
  ws.open();
  ws.send('{"type":"violation","ts":5,"data":{"user":"alice"}}');
  ws.send('not json');
  ws.send('{"no":"type"}');
  ws.send('{"type":"stats","ts":6,"data":{"admissions":3}}');
  ws.send('{"type":"alert","ts":7,"data":{}}');
  assert.deepEqual(got, [['violation', 'alice', 5], ['stats', 3]]);
});

test('stop closes the connection and schedules no retry', () => {
  const feed = new LiveFeed();
  feed.start();
  const ws = FakeSocket.all[0];
  ws.open();
  feed.stop();
  assert.equal(ws.closedWith, 1000);
  assert.equal(feed.state, 'offline');
  ws.drop();
  assert.equal(timers.length, 0);
  assert.equal(FakeSocket.all.length, 1);
});
