// The live feed: the WebSocket /ws/admin/quotas, authenticated by the session cookie (same
// origin). Messages {type, ts, data} go to the listeners of their type. A lost connection is
// retried with exponential backoff (1 s doubling to 30 s, with jitter); the state is reported
// as "connecting", "live", "reconnecting" (with the seconds left) or "offline".

const MIN_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 30000;

export class LiveFeed {
  constructor() {
    this.listeners = new Map();
    this.stateListeners = [];
    this.ws = null;
    this.timer = null;
    this.backoff = MIN_BACKOFF_MS;
    this.stopped = true;
    this.state = 'offline';
  }

  on(type, fn) {
    if (!this.listeners.has(type)) this.listeners.set(type, []);
    this.listeners.get(type).push(fn);
  }

  onState(fn) {
    this.stateListeners.push(fn);
    fn(this.state, {});
  }

  setState(state, detail = {}) {
    this.state = state;
    for (const fn of this.stateListeners) fn(state, detail);
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  // Closes the connection and stops reconnecting.
  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = null;
    if (this.ws) {
      const ws = this.ws;
      this.ws = null;
      ws.onclose = null;
      ws.close(1000);
    }
    this.setState('offline');
  }

  connect() {
    if (this.stopped) return;
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    this.setState('connecting');
    let ws;
    try {
      ws = new WebSocket(`${proto}//${location.host}/ws/admin/quotas`);
    } catch {
      this.retry();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      this.backoff = MIN_BACKOFF_MS;
      this.setState('live');
    };
    ws.onmessage = (ev) => {
      let msg;
      try {
        msg = JSON.parse(ev.data);
      } catch {
        return;
      }
      if (!msg || typeof msg.type !== 'string') return;
      for (const fn of this.listeners.get(msg.type) || []) {
        try {
          fn(msg.data || {}, msg.ts);
        } catch (e) {
          console.error(e);
        }
      }
    };
    ws.onclose = () => {
      if (this.ws === ws) this.ws = null;
      this.retry();
    };
  }

  retry() {
    if (this.stopped) return;
    const delay = Math.min(this.backoff, MAX_BACKOFF_MS);
    const jittered = Math.round(delay * (0.8 + Math.random() * 0.4));
    this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
    this.setState('reconnecting', { in_ms: jittered });
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), jittered);
  }
}
