// Overview: live counters from the stats messages (every 5 s) and a chart of admissions and
// refusals per interval; the chart starts from the last hour of analytics, then grows with every
// stats message.

import * as api from '../api.js';
import { h, replace, stat, formatNumber, formatTime } from '../dom.js';
import { lineChart } from '../charts.js';
import { groupSize } from './alerts.js';

const MAX_POINTS = 120;

function queuedTotal(q) {
  if (typeof q === 'number') return q;
  if (q && typeof q === 'object') return Object.values(q).reduce((a, v) => a + (Number(v) || 0), 0);
  return undefined;
}

export class OverviewTab {
  constructor(panel, feed) {
    this.panel = panel;
    this.last = null; // the previous stats message, for per-interval deltas
    this.admitted = []; // [t_ms, n] per interval
    this.refused = [];
    this.events = [];
    this.counters = h('div', { class: 'stats' });
    this.chart = h('div', { class: 'chart-box' });
    this.chartNote = h('p', { class: 'error hidden' });
    this.byType = h('div');
    this.recent = h('ul', { class: 'events' });
    replace(
      panel,
      h('h2', {}, 'Overview'),
      this.counters,
      h(
        'section',
        { class: 'card' },
        h('h3', {}, 'Admissions and refusals'),
        this.chart,
        this.chartNote,
      ),
      h(
        'div',
        { class: 'columns' },
        h('section', { class: 'card' }, h('h3', {}, 'By command type'), this.byType),
        h('section', { class: 'card' }, h('h3', {}, 'Latest events'), this.recent),
      ),
    );
    this.renderCounters(null);
    this.renderChart();
    this.seeded = false;
    feed.on('stats', (d, ts) => this.onStats(d, ts || Date.now()));
    feed.on('violation', (d, ts) =>
      this.addEvent(`refused ${d.user} · ${d.type} · ${d.limit}`, d.at_ms || ts),
    );
    feed.on('alert', (d, ts) =>
      this.addEvent(`alert ${d.rule_name || d.metric || ''} ${d.state || ''}`, ts),
    );
    feed.on('alert_group', (d, ts) =>
      this.addEvent(
        `alert ${d.rule_name || d.metric || ''} ${d.event || ''} · ${groupSize(d)}`,
        d.at_ms || ts,
      ),
    );
    feed.on('config_changed', (d, ts) =>
      this.addEvent(`${d.what} ${d.id ?? ''} ${d.action} by ${d.by || '?'}`, ts),
    );
  }

  async show() {
    if (this.seeded) return;
    this.seeded = true;
    // The last hour by minute.
    const now = Date.now();
    try {
      const r = await api.get(
        api.withQuery('/api/admin/quotas/analytics', {
          from: now - 3600_000,
          to: now,
          bucket: 'minute',
          group_by: 'outcome',
          metrics: 'count',
        }),
      );
      const adm = [],
        ref = [];
      for (const row of r.rows || []) {
        if (row.outcome === 'admitted') adm.push([row.t_ms, row.count]);
        if (row.outcome === 'refused') ref.push([row.t_ms, row.count]);
      }
      this.admitted = adm.concat(this.admitted).slice(-MAX_POINTS);
      this.refused = ref.concat(this.refused).slice(-MAX_POINTS);
      this.chartNote.classList.add('hidden');
      this.renderChart();
    } catch (e) {
      // The chart still fills from the live stats; the next visit to the tab tries again.
      this.seeded = false;
      this.chartNote.textContent = `The last hour could not be loaded: ${e.message}`;
      this.chartNote.classList.remove('hidden');
    }
  }

  hide() {}

  onStats(d, ts) {
    if (this.last) {
      this.admitted.push([ts, Math.max(0, (d.admissions || 0) - (this.last.admissions || 0))]);
      this.refused.push([ts, Math.max(0, (d.refusals || 0) - (this.last.refusals || 0))]);
      this.admitted = this.admitted.slice(-MAX_POINTS);
      this.refused = this.refused.slice(-MAX_POINTS);
    }
    this.last = d;
    this.renderCounters(d);
    this.renderChart();
    this.renderByType(d.by_type || {});
  }

  renderCounters(d) {
    const e = (d && d.executor) || {};
    const v = (x) => (d ? formatNumber(x) : '…');
    replace(
      this.counters,
      stat('Admitted', v(d && d.admissions), 'admissions'),
      stat('Refused', v(d && d.refusals), 'refusals'),
      stat('Running', v(d && (d.running ?? e.running)), 'running'),
      stat(
        'Queued',
        v(d && (typeof d.queued === 'number' ? d.queued : queuedTotal(e.queued))),
        'queued',
      ),
      stat('Throttle factor', v(d && (d.throttle_factor ?? e.throttle_factor)), 'throttle'),
      stat('CPU', d ? `${formatNumber(d.cpu_pct ?? e.cpu_pct)} %` : '…', 'cpu'),
      stat('Memory', d ? `${formatNumber(d.mem_pct ?? e.mem_pct)} %` : '…', 'memory'),
    );
    if (!d)
      this.counters.appendChild(
        h('p', { class: 'hint' }, 'Waiting for the first live stats (every 5 s)…'),
      );
  }

  renderChart() {
    replace(
      this.chart,
      lineChart(
        [
          { name: 'admitted', points: this.admitted },
          { name: 'refused', points: this.refused },
        ],
        { title: 'Checks per interval' },
      ),
    );
  }

  renderByType(byType) {
    const rows = Object.entries(byType).sort((a, b) => a[0].localeCompare(b[0]));
    if (rows.length === 0) {
      replace(this.byType, h('p', { class: 'empty' }, 'No checks yet.'));
      return;
    }
    replace(
      this.byType,
      h(
        'table',
        {},
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', {}, 'type'),
            h('th', { class: 'num' }, 'admitted'),
            h('th', { class: 'num' }, 'refused'),
          ),
        ),
        h(
          'tbody',
          {},
          rows.map(([type, c]) =>
            h(
              'tr',
              {},
              h('td', {}, type),
              h('td', { class: 'num' }, formatNumber(c.admitted)),
              h('td', { class: 'num' }, formatNumber(c.refused)),
            ),
          ),
        ),
      ),
    );
    const top = this.last && this.last.top_users;
    if (Array.isArray(top) && top.length) {
      this.byType.appendChild(h('h4', {}, 'Top users'));
      this.byType.appendChild(
        h(
          'ol',
          {},
          top
            .slice(0, 5)
            .map((u) =>
              h(
                'li',
                {},
                `${u.user} · ${formatNumber(u.admitted)} admitted, ${formatNumber(u.refused)} refused`,
              ),
            ),
        ),
      );
    }
  }

  addEvent(text, at) {
    this.events.unshift(h('li', {}, h('time', {}, formatTime(at)), ' ', text));
    this.events = this.events.slice(0, 12);
    replace(this.recent, this.events);
  }
}
