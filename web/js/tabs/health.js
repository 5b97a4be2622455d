// Health: the server's own view (GET /api/admin/health: store, counters, executor, alerts), the
// WebSocket hub (GET /api/ws/health), load and throttling as the live stats report them, and
// the nodes of the cluster (GET /api/admin/cluster: one row when the server runs alone).
// Refreshed every 5 s while the tab is shown.

import * as api from '../api.js';
import { h, replace, stat, formatNumber, formatBytes } from '../dom.js';

const REFRESH_MS = 5000;

function dl(entries) {
  return h(
    'dl',
    { class: 'kv' },
    entries
      .filter(([, v]) => v !== undefined && v !== null && v !== '')
      .flatMap(([k, v]) => [
        h('dt', {}, k),
        h('dd', {}, typeof v === 'number' ? formatNumber(v) : String(v)),
      ]),
  );
}

function seconds(s) {
  if (typeof s !== 'number') return '–';
  const d = Math.floor(s / 86400),
    hh = Math.floor((s % 86400) / 3600),
    m = Math.floor((s % 3600) / 60);
  return d ? `${d} d ${hh} h` : hh ? `${hh} h ${m} min` : `${m} min ${s % 60} s`;
}

export class HealthTab {
  constructor(panel, feed) {
    this.panel = panel;
    this.feed = feed;
    this.timer = null;
    this.stats = null;
    this.summary = h('div', { class: 'stats' });
    this.load = h('div');
    this.store = h('div');
    this.counters = h('div');
    this.ws = h('div');
    this.alerts = h('div');
    this.nodes = h('div');
    replace(
      panel,
      h('h2', {}, 'Health'),
      this.summary,
      h(
        'div',
        { class: 'columns' },
        h('section', { class: 'card' }, h('h3', {}, 'Load and throttling'), this.load),
        h('section', { class: 'card' }, h('h3', {}, 'Store'), this.store),
      ),
      h('section', { class: 'card counters' }, h('h3', {}, 'Counters'), this.counters),
      h(
        'div',
        { class: 'columns' },
        h('section', { class: 'card' }, h('h3', {}, 'WebSocket'), this.ws),
        h('section', { class: 'card' }, h('h3', {}, 'Alerting'), this.alerts),
      ),
      h('section', { class: 'card nodes' }, h('h3', {}, 'Nodes'), this.nodes),
    );
    feed.on('stats', (d) => {
      this.stats = d;
      if (this.timer) this.renderLoad();
    });
    feed.onState(() => {
      if (this.timer) this.renderWs(this.wsHealth);
    });
  }

  show() {
    this.refresh();
    clearInterval(this.timer);
    this.timer = setInterval(() => this.refresh(), REFRESH_MS);
  }

  hide() {
    clearInterval(this.timer);
    this.timer = null;
  }

  async refresh() {
    const [health, ws, cluster] = await Promise.all([
      api.get('/api/admin/health').catch((e) => ({ error: e.message })),
      api.get('/api/ws/health').catch((e) => ({ error: e.message })),
      api.get('/api/admin/cluster').catch((e) => ({ error: e.message })),
    ]);
    this.renderNodes(cluster);
    this.health = health;
    this.wsHealth = ws;
    const e = health.executor || {};
    replace(
      this.summary,
      stat('Status', health.error ? 'unreachable' : health.status, 'status'),
      stat('Version', health.version ?? '–', 'version'),
      stat('Uptime', seconds(health.uptime_seconds), 'uptime'),
      stat('CPU', `${formatNumber(e.cpu_pct)} %`, 'cpu'),
      stat('Memory', `${formatNumber(e.mem_pct)} %`, 'memory'),
      stat('Throttle factor', formatNumber(e.throttle_factor), 'throttle'),
    );
    this.renderLoad();
    const s = health.store || {};
    replace(
      this.store,
      health.error
        ? h('p', { class: 'error' }, health.error)
        : dl([
            ['backend', s.kind],
            ['location', s.path],
            ['state', s.state],
            ['error', s.error],
            ['queued writes', s.queued_writes],
            ['commits', s.commits],
            ['set aside (dead letters)', s.dead_letters],
            [
              'journal',
              s.journal_bytes !== undefined
                ? `${formatBytes(s.journal_bytes)}, ${s.journal_records} records`
                : undefined,
            ],
            [
              'admissions paused',
              s.admissions_paused === undefined ? undefined : s.admissions_paused ? 'yes' : 'no',
            ],
          ]),
    );
    // Where the limits are counted: in memory, or Redis shared by the nodes (and, while it is
    // away, the failure policy the checks follow).
    const c = health.counters || {};
    replace(
      this.counters,
      health.error
        ? h('p', { class: 'error' }, health.error)
        : dl([
            ['backend', c.backend],
            ['state', c.state],
            ['location', c.url],
            ['failure policy', c.failure_policy],
            ['error', c.error],
          ]),
    );
    this.renderWs(ws);
    const a = health.alerts || {};
    replace(
      this.alerts,
      health.error
        ? h('p', { class: 'error' }, health.error)
        : dl([
            ['firing', a.firing],
            ['rules', a.rules],
            ['webhook queued', a.webhook && a.webhook.queued],
            ['webhook delivered', a.webhook && a.webhook.delivered],
            ['webhook failed', a.webhook && a.webhook.failed],
            ['last webhook error', a.webhook && a.webhook.last_error],
          ]),
    );
  }

  renderLoad() {
    const e = {
      ...((this.health && this.health.executor) || {}),
      ...((this.stats && this.stats.executor) || {}),
    };
    const q = e.queued && typeof e.queued === 'object' ? e.queued : {};
    replace(
      this.load,
      dl([
        [
          'CPU',
          e.cpu_pct !== undefined ? `${formatNumber(e.cpu_pct)} % (${e.cpu_source})` : undefined,
        ],
        [
          'memory',
          e.mem_pct !== undefined ? `${formatNumber(e.mem_pct)} % (${e.mem_source})` : undefined,
        ],
        ['throttle factor', e.throttle_factor],
        ['workers', e.workers],
        ['seats', e.seats],
        ['running', e.running],
        [
          'queued (enterprise / premium / default)',
          e.queued !== undefined
            ? `${q.enterprise ?? 0} / ${q.premium ?? 0} / ${q.default ?? 0}`
            : undefined,
        ],
        ['cgroups', e.cgroups],
      ]),
    );
  }

  renderNodes(cluster) {
    if (cluster.error) {
      replace(this.nodes, h('p', { class: 'error' }, cluster.error));
      return;
    }
    const nodes = cluster.nodes || [];
    const row = (n) =>
      h(
        'tr',
        { class: n.live ? '' : 'stale' },
        h('td', {}, n.self ? `${n.id} (this node)` : n.id),
        h('td', {}, n.address || '–'),
        h('td', {}, n.live ? n.health : `silent ${seconds(Math.round((n.age_ms || 0) / 1000))}`),
        h('td', { class: 'num' }, formatNumber(n.load)),
        h('td', { class: 'num' }, formatNumber(n.admissions)),
        h('td', { class: 'num' }, formatNumber(n.refusals)),
      );
    replace(
      this.nodes,
      h(
        'p',
        { class: 'hint' },
        cluster.clustered
          ? `${cluster.live_nodes} live of ${nodes.length}; admissions ${formatNumber(cluster.admissions)}, refusals ${formatNumber(cluster.refusals)} across live nodes`
          : 'One node (no shared database)',
      ),
      h(
        'table',
        { class: 'nodes' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...['node', 'address', 'health', 'load', 'admissions', 'refusals'].map((c) =>
              h('th', {}, c),
            ),
          ),
        ),
        h('tbody', {}, ...nodes.map(row)),
      ),
    );
  }

  renderWs(ws) {
    if (!ws) return;
    replace(
      this.ws,
      dl([
        ['this page', this.feed.state],
        ['clients', ws.clients],
        ['messages sent', ws.messages_sent],
        ['dropped (stats coalesced)', ws.dropped],
        ['closed as slow', ws.closed_slow],
        ['closed as silent', ws.closed_silent],
        ['error', ws.error],
      ]),
    );
  }
}
