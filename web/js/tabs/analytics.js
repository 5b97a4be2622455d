// Analytics: usage over time by command type, by user and by outcome (GET
// /api/admin/quotas/analytics), a CSV of the same report, and the detectors' findings
// (trends, spikes, repeat violators, quotas forecast to run out).

import * as api from '../api.js';
import { h, replace } from '../dom.js';
import { lineChart } from '../charts.js';

const RANGES = [
  ['last hour', 3600_000, 'minute'],
  ['last 24 hours', 86400_000, 'hour'],
  ['last 7 days', 7 * 86400_000, 'hour'],
  ['last 30 days', 30 * 86400_000, 'day'],
];
// [detector, title, whether it takes the range as from/to].
const DETECTORS = [
  ['trend', 'Trends', true],
  ['spikes', 'Spikes against their own baseline', false],
  ['violators', 'Repeat violators', true],
  ['forecast', 'Quotas forecast to run out', false],
  ['top', 'Top CPU and memory consumers', true],
];
const TOP_USERS = 8;
// What the metric menu offers: [label, the report's metric, the column charted, unit].
const METRICS = [
  ['checks', 'count', 'count', ''],
  ['units (cost)', 'cost', 'cost', ''],
  ['duration p95', 'duration', 'duration_ms_p95', ' ms'],
  ['CPU time', 'cpu', 'cpu_ms_sum', ' ms'],
  ['peak memory', 'memory', 'peak_memory_max', ' B'],
];

// Rows {t_ms, <key>, <metric>} as chart series, one per value of `key`, the largest first.
function seriesBy(rows, key, metric, limit = Infinity) {
  const by = new Map();
  for (const row of rows) {
    const name = String(row[key] ?? '?');
    if (!by.has(name)) by.set(name, []);
    by.get(name).push([row.t_ms, Number(row[metric]) || 0]);
  }
  const all = [...by.entries()]
    .map(([name, points]) => ({ name, points }))
    .sort(
      (a, b) => b.points.reduce((s, p) => s + p[1], 0) - a.points.reduce((s, p) => s + p[1], 0),
    );
  return all.slice(0, limit);
}

export class AnalyticsTab {
  constructor(panel, feed) {
    this.panel = panel;
    this.range = h(
      'select',
      { 'aria-label': 'range' },
      RANGES.map(([label], i) => h('option', { value: String(i), selected: i === 1 }, label)),
    );
    this.metric = h(
      'select',
      { 'aria-label': 'metric' },
      METRICS.map(([label], i) => h('option', { value: String(i) }, label)),
    );
    this.outcome = h(
      'select',
      { 'aria-label': 'outcome' },
      h('option', { value: '' }, 'every outcome'),
      ['admitted', 'refused', 'executed', 'failed'].map((o) => h('option', { value: o }, o)),
    );
    this.user = h('input', { type: 'search', placeholder: 'user', 'aria-label': 'user filter' });
    this.csv = h('a', { class: 'button', download: 'gaia-usage.csv', href: '#' }, 'Download CSV');
    this.charts = h('div', { class: 'charts' });
    this.findings = h('div', { class: 'findings' });
    for (const c of [this.range, this.metric, this.outcome])
      c.addEventListener('change', () => this.load());
    this.user.addEventListener('change', () => this.load());
    replace(
      panel,
      h('h2', {}, 'Analytics'),
      h(
        'div',
        { class: 'toolbar' },
        this.range,
        this.metric,
        this.outcome,
        this.user,
        h('button', { type: 'button', onclick: () => this.load() }, 'Refresh'),
        this.csv,
      ),
      this.charts,
      h('section', { class: 'card' }, h('h3', {}, 'Findings'), this.findings),
    );
    this.loaded = false;
    feed.on('config_changed', () => {});
  }

  show() {
    this.load();
  }

  hide() {}

  params(groupBy) {
    const [, span, bucket] = RANGES[Number(this.range.value)];
    const now = Date.now();
    return {
      from: now - span,
      to: now,
      bucket,
      group_by: groupBy,
      metrics: METRICS[Number(this.metric.value)][1],
      outcome: this.outcome.value,
      user: this.user.value.trim(),
    };
  }

  async load() {
    this.loaded = true;
    const [, , metric, unit] = METRICS[Number(this.metric.value)];
    const totals = metric === 'count' || metric === 'cost';
    this.csv.setAttribute(
      'href',
      api.withQuery('/api/admin/quotas/analytics', { ...this.params('type,user'), format: 'csv' }),
    );
    replace(this.charts, h('p', { class: 'hint' }, 'Loading…'));
    try {
      const [byType, byUser, byOutcome] = await Promise.all(
        ['type', 'user', 'outcome'].map((g) =>
          api.get(api.withQuery('/api/admin/quotas/analytics', this.params(g))),
        ),
      );
      const range = [byType.from_ms, byType.to_ms];
      replace(
        this.charts,
        h(
          'section',
          { class: 'card' },
          lineChart(seriesBy(byType.rows || [], 'type', metric), {
            title: 'By command type',
            unit,
            totals,
            range,
          }),
        ),
        h(
          'section',
          { class: 'card' },
          lineChart(seriesBy(byUser.rows || [], 'user', metric, TOP_USERS), {
            title: `By user (top ${TOP_USERS})`,
            unit,
            totals,
            range,
          }),
        ),
        h(
          'section',
          { class: 'card' },
          lineChart(seriesBy(byOutcome.rows || [], 'outcome', metric), {
            title: 'By outcome',
            unit,
            totals,
            range,
          }),
        ),
      );
    } catch (e) {
      replace(this.charts, h('p', { class: 'error' }, e.message));
    }
    this.loadFindings();
  }

  async loadFindings() {
    const [, span] = RANGES[Number(this.range.value)];
    const now = Date.now();
    const parts = await Promise.all(
      DETECTORS.map(async ([kind, title, ranged]) => {
        try {
          const r = await api.get(
            api.withQuery(
              `/api/admin/analytics/${kind}`,
              ranged ? { from: now - span, to: now } : {},
            ),
          );
          const items = r.items || [];
          return h(
            'div',
            { class: 'finding' },
            h('h4', {}, title),
            items.length
              ? h(
                  'ul',
                  {},
                  items
                    .slice(0, 10)
                    .map((it) =>
                      h(
                        'li',
                        {},
                        it.user ? h('strong', {}, it.user) : null,
                        it.user ? ' ' : null,
                        it.type ? h('span', { class: 'badge' }, it.type) : null,
                        it.type ? ' ' : null,
                        it.explanation || JSON.stringify(it),
                      ),
                    ),
                )
              : h('p', { class: 'empty' }, 'Nothing found.'),
          );
        } catch (e) {
          return h(
            'div',
            { class: 'finding' },
            h('h4', {}, title),
            h('p', { class: 'error' }, e.message),
          );
        }
      }),
    );
    replace(this.findings, parts);
  }
}
