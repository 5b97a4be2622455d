// Charts drawn as SVG by hand: a line chart of several series over time, and a usage bar.
// Colours come from the style sheet (classes series-0 ... series-7), labels are text nodes.

import { h, svg, formatNumber } from './dom.js';

const W = 640;
const H = 220;
const PAD = { left: 48, right: 12, top: 12, bottom: 28 };

function niceMax(v) {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) {
    if (v <= m * p) return m * p;
  }
  return 10 * p;
}

function timeLabel(ms, spanMs) {
  const d = new Date(ms);
  const hh = String(d.getUTCHours()).padStart(2, '0');
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  const ss = String(d.getUTCSeconds()).padStart(2, '0');
  if (spanMs <= 10 * 60 * 1000) return `${hh}:${mm}:${ss}`;
  if (spanMs <= 2 * 86400 * 1000) return `${hh}:${mm}`;
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}`;
}

// series: [{name, points: [[t_ms, value], ...]}]. Returns a <figure> with the chart and a
// legend (with each series' total when `totals`); an empty chart says so. `range` fixes the
// x axis to [from_ms, to_ms].
export function lineChart(series, { title = '', unit = '', totals = true, range = null } = {}) {
  const fig = h('figure', { class: 'chart' });
  if (title) fig.appendChild(h('figcaption', {}, title));
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) {
    fig.appendChild(h('p', { class: 'empty' }, 'No data in this range.'));
    return fig;
  }
  // The x axis spans `range` ([from_ms, to_ms]) when given, else the points.
  let t0 = range ? range[0] : Math.min(...all.map((p) => p[0]));
  let t1 = range ? range[1] : Math.max(...all.map((p) => p[0]));
  if (t1 === t0) t1 = t0 + 1;
  const yMax = niceMax(Math.max(...all.map((p) => p[1])));
  const x = (t) => PAD.left + ((t - t0) / (t1 - t0)) * (W - PAD.left - PAD.right);
  const y = (v) => H - PAD.bottom - (v / yMax) * (H - PAD.top - PAD.bottom);

  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart-svg', role: 'img' });
  root.appendChild(svg('title', {}, title || 'chart'));
  for (let i = 0; i <= 4; i++) {
    const v = (yMax * i) / 4;
    root.appendChild(
      svg('line', { x1: PAD.left, x2: W - PAD.right, y1: y(v), y2: y(v), class: 'grid' }),
    );
    root.appendChild(
      svg(
        'text',
        { x: PAD.left - 6, y: y(v) + 4, class: 'axis', 'text-anchor': 'end' },
        formatNumber(v) + unit,
      ),
    );
  }
  for (let i = 0; i <= 4; i++) {
    const t = t0 + ((t1 - t0) * i) / 4;
    root.appendChild(
      svg(
        'text',
        { x: x(t), y: H - 8, class: 'axis', 'text-anchor': 'middle' },
        timeLabel(t, t1 - t0),
      ),
    );
  }
  series.forEach((s, i) => {
    const pts = [...s.points].sort((a, b) => a[0] - b[0]);
    if (pts.length === 1) {
      root.appendChild(
        svg('circle', { cx: x(pts[0][0]), cy: y(pts[0][1]), r: 3, class: `dot series-${i % 8}` }),
      );
      return;
    }
    const d = pts
      .map((p, j) => `${j ? 'L' : 'M'}${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`)
      .join('');
    root.appendChild(svg('path', { d, class: `line series-${i % 8}` }, svg('title', {}, s.name)));
  });
  fig.appendChild(root);
  const legend = h('ul', { class: 'legend' });
  series.forEach((s, i) => {
    const total = s.points.reduce((a, p) => a + p[1], 0);
    legend.appendChild(
      h(
        'li',
        {},
        h('span', { class: `swatch series-${i % 8}` }),
        totals ? `${s.name} (${formatNumber(total)})` : s.name,
      ),
    );
  });
  fig.appendChild(legend);
  return fig;
}

// A horizontal bar of `used` against `limit` (limit null or <= 0: unlimited).
export function usageBar(used, limit) {
  const width = 240;
  const unlimited = limit === null || limit === undefined || limit < 0;
  const frac = unlimited ? 0 : limit === 0 ? 1 : Math.min(1, used / limit);
  const level = frac >= 1 ? 'full' : frac >= 0.8 ? 'high' : 'ok';
  const root = svg(
    'svg',
    { viewBox: `0 0 ${width} 14`, class: 'bar', width, height: 14, role: 'img' },
    svg('title', {}, unlimited ? `${used} used, unlimited` : `${used} of ${limit}`),
    svg('rect', { x: 0, y: 0, width, height: 14, rx: 3, class: 'bar-bg' }),
    svg('rect', {
      x: 0,
      y: 0,
      width: Math.max(0, frac * width),
      height: 14,
      rx: 3,
      class: `bar-fg bar-${level}`,
    }),
  );
  return root;
}
