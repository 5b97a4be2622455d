// Alerts: what needs an operator now: agents' commands waiting for approval (approve, deny),
// alerts firing (acknowledge, silence); then the history of every alert with its transitions,
// and the alert rules. Alerts are shown grouped as they are notified: the firing alerts of one
// rule, or in the history the alerts of one rule that began in the same round, are one row
// that expands to each alert, acknowledged and silenced one by one. Live "approval",
// "alert_group" (a notification) and "alert" (an acknowledgement or silence) messages refresh
// the lists.

import * as api from '../api.js';
import { EditGuard, h, replace, toast, formatNumber, formatTime } from '../dom.js';

const SILENCE_MS = 3600_000;
const FIRING_SHOWN = 1000; // the API's largest page

// "1 alert", "200 alerts": how many a notification (an "alert_group" message) covers.
export function groupSize(group) {
  const n = group?.counts?.alerts ?? (group?.alerts || []).length;
  return `${formatNumber(n)} alert${n === 1 ? '' : 's'}`;
}

// Consecutive runs of `alerts` with the same key, in order.
function runs(alerts, keyOf) {
  const out = [];
  for (const a of alerts) {
    const key = keyOf(a);
    const last = out[out.length - 1];
    if (last && last.key === key) last.alerts.push(a);
    else out.push({ key, alerts: [a] });
  }
  return out;
}

// Alerts grouped by `keyOf`, groups in the order of their first alert.
function groups(alerts, keyOf) {
  const byKey = new Map();
  for (const a of alerts) {
    const key = keyOf(a);
    if (!byKey.has(key)) byKey.set(key, { key, alerts: [] });
    byKey.get(key).alerts.push(a);
  }
  return [...byKey.values()];
}

export class AlertsTab {
  constructor(panel, feed) {
    this.panel = panel;
    this.approvals = h('div');
    this.firing = h('div');
    this.history = h('div');
    this.rules = h('div');
    this.state = h(
      'select',
      { 'aria-label': 'state filter' },
      h('option', { value: '' }, 'every state'),
      ['pending', 'firing', 'resolved'].map((s) => h('option', { value: s }, s)),
    );
    this.severity = h(
      'select',
      { 'aria-label': 'severity filter' },
      h('option', { value: '' }, 'every severity'),
      ['info', 'warning', 'critical'].map((s) => h('option', { value: s }, s)),
    );
    this.state.addEventListener('change', () => this.loadHistory());
    this.severity.addEventListener('change', () => this.loadHistory());
    this.loaded = false;
    this.visible = false;
    this.expanded = new Set(); // keys of the groups an operator opened, kept across reloads
    replace(
      panel,
      h('h2', {}, 'Alerts'),
      h(
        'section',
        { class: 'card approvals' },
        h('h3', {}, 'Commands waiting for approval'),
        this.approvals,
      ),
      h('section', { class: 'card firing' }, h('h3', {}, 'Firing now'), this.firing),
      h(
        'section',
        { class: 'card' },
        h('h3', {}, 'History'),
        h('div', { class: 'toolbar' }, this.state, this.severity),
        this.history,
      ),
      h('section', { class: 'card' }, h('h3', {}, 'Rules'), this.rules),
    );
    // A note being typed (a decision's, an acknowledgement's) is never drawn over by a live
    // event (`live` loads): that section offers the latest instead.
    this.approvalsGuard = new EditGuard(this.approvals);
    this.firingGuard = new EditGuard(this.firing);
    this.historyGuard = new EditGuard(this.history);
    feed.on('alert_group', (g) => {
      if (g && g.event === 'firing')
        toast(`Alert firing: ${g.rule_name || g.metric || g.rule_id} (${groupSize(g)})`, 'error');
      if (this.loaded) this.load(true);
    });
    feed.on('alert', () => {
      if (this.loaded) this.load(true);
    });
    feed.on('approval', (a) => {
      if (a && a.state === 'waiting') toast(`${a.user} waits for approval: ${a.command}`);
      if (this.loaded) this.loadApprovals(true);
    });
  }

  show() {
    this.visible = true;
    this.load();
  }

  hide() {
    this.visible = false;
  }

  load(live = false) {
    this.loaded = true;
    this.loadApprovals(live);
    this.loadFiring(live);
    this.loadHistory(undefined, live);
    this.loadRules();
  }

  async loadApprovals(live = false) {
    const mark = this.approvalsGuard.mark(live);
    let r;
    try {
      r = await api.get('/api/admin/approvals');
    } catch (e) {
      replace(this.approvals, h('p', { class: 'error' }, e.message));
      return;
    }
    if (!this.approvalsGuard.mayDraw(mark, () => this.loadApprovals())) return;
    const waiting = r.approvals || [];
    if (!waiting.length) {
      replace(
        this.approvals,
        h(
          'p',
          { class: 'empty ok' },
          r.wait_s
            ? 'Nothing waits for approval.'
            : 'Nothing waits for approval (approvals are off: GAIA_CONFIRM_APPROVAL_WAIT_S).',
        ),
      );
      return;
    }
    replace(
      this.approvals,
      h(
        'table',
        { class: 'approvals-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['user', 'type', 'command', 'reason', 'expires', ''].map((c) => h('th', {}, c)),
          ),
        ),
        h(
          'tbody',
          {},
          waiting.map((a) =>
            h(
              'tr',
              { dataset: { approval: String(a.id) } },
              h('td', {}, a.user ?? ''),
              h('td', {}, a.type ?? ''),
              h('td', { class: 'command' }, a.command ?? ''),
              h('td', {}, a.reason ?? ''),
              h('td', { class: 'muted' }, formatTime(a.expires_at_ms)),
              h('td', {}, this.decision(a)),
            ),
          ),
        ),
      ),
    );
  }

  decision(a) {
    const note = h('input', {
      type: 'text',
      placeholder: 'note',
      'aria-label': 'decision note',
      class: 'note',
    });
    const decide = (decision) => async () => {
      const body = { decision };
      if (note.value.trim()) body.note = note.value.trim();
      try {
        await api.post(`/api/admin/approvals/${api.enc(a.id)}`, body);
        toast(`${decision === 'approve' ? 'Approved' : 'Denied'}: ${a.command}`);
      } catch (e) {
        toast(e.message, 'error');
      }
      this.loadApprovals();
    };
    return h(
      'div',
      { class: 'inline' },
      note,
      h(
        'button',
        { type: 'button', class: 'primary approve', onclick: decide('approve') },
        'Approve',
      ),
      h('button', { type: 'button', class: 'danger deny', onclick: decide('deny') }, 'Deny'),
    );
  }

  async loadFiring(live = false) {
    const mark = this.firingGuard.mark(live);
    try {
      const r = await api.get(
        api.withQuery('/api/admin/alerts', { state: 'firing', limit: FIRING_SHOWN }),
      );
      if (!this.firingGuard.mayDraw(mark, () => this.loadFiring())) return;
      const alerts = r.alerts || [];
      replace(
        this.firing,
        alerts.length
          ? this.table(
              groups(alerts, (a) => `firing ${a.rule_id}`),
              true,
            )
          : h('p', { class: 'empty ok' }, 'Nothing is firing.'),
        r.next_before != null
          ? h('p', { class: 'muted' }, `The ${FIRING_SHOWN} newest firing alerts are shown.`)
          : null,
      );
    } catch (e) {
      replace(this.firing, h('p', { class: 'error' }, e.message));
    }
  }

  async loadHistory(before, live = false) {
    const mark = this.historyGuard.mark(live);
    try {
      const r = await api.get(
        api.withQuery('/api/admin/alerts', {
          state: this.state.value,
          severity: this.severity.value,
          limit: 50,
          before,
        }),
      );
      if (!this.historyGuard.mayDraw(mark, () => this.loadHistory())) return;
      const alerts = r.alerts || [];
      replace(
        this.history,
        alerts.length
          ? this.table(
              runs(alerts, (a) => `round ${a.rule_id} ${a.started_at_ms}`),
              false,
            )
          : h('p', { class: 'empty' }, 'No alerts yet.'),
        r.next_before != null
          ? h(
              'button',
              { type: 'button', onclick: () => this.loadHistory(r.next_before) },
              'Older ›',
            )
          : null,
      );
    } catch (e) {
      replace(this.history, h('p', { class: 'error' }, e.message));
    }
  }

  async loadRules() {
    try {
      const r = await api.get('/api/admin/alerts/rules');
      const rules = r.rules || [];
      replace(
        this.rules,
        rules.length
          ? h(
              'table',
              {},
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  [
                    'name',
                    'metric',
                    'scope',
                    'condition',
                    'for',
                    'severity',
                    'cooldown',
                    'channels',
                    'enabled',
                  ].map((c) => h('th', {}, c)),
                ),
              ),
              h(
                'tbody',
                {},
                rules.map((rule) =>
                  h(
                    'tr',
                    {},
                    h('td', {}, rule.name ?? String(rule.id)),
                    h('td', {}, rule.metric ?? ''),
                    h(
                      'td',
                      {},
                      [rule.scope ?? 'global', rule.user ?? rule.type ?? ''].join(' ').trim(),
                    ),
                    h('td', {}, `${rule.condition ?? '>'} ${formatNumber(rule.threshold)}`),
                    h('td', {}, rule.for ? `${rule.for} s` : '–'),
                    h(
                      'td',
                      {},
                      h('span', { class: `sev sev-${rule.severity}` }, rule.severity ?? ''),
                    ),
                    h('td', {}, rule.cooldown != null ? `${rule.cooldown} s` : ''),
                    h(
                      'td',
                      {},
                      Array.isArray(rule.channels)
                        ? rule.channels
                            .map((c) => (typeof c === 'string' ? c : c.kind || c.type))
                            .join(', ')
                        : '',
                    ),
                    h('td', {}, rule.enabled === false ? 'no' : 'yes'),
                  ),
                ),
              ),
            )
          : h('p', { class: 'empty' }, 'No alert rules.'),
      );
    } catch (e) {
      replace(this.rules, h('p', { class: 'error' }, e.message));
    }
  }

  // `grouped`: [{key, alerts}]. A group of one alert is one row; a larger group is one row
  // (its size, values, states) that expands to a row per alert.
  table(grouped, actions) {
    return h(
      'table',
      { class: 'alerts' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          [
            '',
            'severity',
            'rule',
            'scope',
            'value',
            'state',
            'since',
            actions ? '' : 'transitions',
          ].map((c) => h('th', {}, c)),
        ),
      ),
      h(
        'tbody',
        {},
        grouped.map((g) =>
          g.alerts.length === 1 ? this.row(g.alerts[0], actions) : this.groupRows(g, actions),
        ),
      ),
    );
  }

  groupRows(g, actions) {
    const first = g.alerts[0];
    const open = this.expanded.has(g.key);
    const members = g.alerts.map((a) => {
      const tr = this.row(a, actions, true);
      tr.classList.add('member');
      tr.classList.toggle('hidden', !open);
      return tr;
    });
    const values = g.alerts.map((a) => a.value).filter((v) => typeof v === 'number');
    const acked = g.alerts.filter((a) => a.ack).length;
    const silenced = g.alerts.filter((a) => a.silenced_until_ms).length;
    const states = [...new Set(g.alerts.map((a) => a.state))].join(', ');
    const toggle = h(
      'button',
      {
        type: 'button',
        class: 'expand',
        'aria-expanded': String(open),
        'aria-label': `show the ${g.alerts.length} alerts`,
      },
      open ? '▾' : '▸',
    );
    toggle.addEventListener('click', () => {
      const now = !this.expanded.has(g.key);
      if (now) this.expanded.add(g.key);
      else this.expanded.delete(g.key);
      toggle.setAttribute('aria-expanded', String(now));
      toggle.textContent = now ? '▾' : '▸';
      for (const tr of members) tr.classList.toggle('hidden', !now);
    });
    const head = h(
      'tr',
      { class: `group state-${first.state}`, dataset: { group: g.key } },
      h('td', {}, toggle),
      h('td', {}, h('span', { class: `sev sev-${first.severity}` }, first.severity ?? '')),
      h(
        'td',
        {},
        first.rule_name ?? String(first.rule_id ?? ''),
        h('div', { class: 'muted' }, first.metric ?? ''),
      ),
      h('td', { class: 'count' }, `${g.alerts.length} alerts`),
      h(
        'td',
        { class: 'num' },
        values.length
          ? `${formatNumber(Math.min(...values))}–${formatNumber(Math.max(...values))} / ${formatNumber(first.threshold)}`
          : '',
      ),
      h(
        'td',
        {},
        states,
        acked ? h('div', { class: 'muted' }, `${acked} acknowledged`) : null,
        silenced ? h('div', { class: 'muted' }, `${silenced} silenced`) : null,
      ),
      h(
        'td',
        { class: 'muted' },
        formatTime(Math.min(...g.alerts.map((a) => a.started_at_ms || Infinity))),
      ),
      h('td', {}),
    );
    return [head, ...members];
  }

  // One alert's row; `member`: shown under its group's row, which names its rule.
  row(a, actions, member = false) {
    return h(
      'tr',
      { class: `state-${a.state}`, dataset: { alert: String(a.id) } },
      h('td', {}),
      h('td', {}, member ? null : h('span', { class: `sev sev-${a.severity}` }, a.severity ?? '')),
      h(
        'td',
        {},
        member
          ? null
          : [a.rule_name ?? String(a.rule_id ?? ''), h('div', { class: 'muted' }, a.metric ?? '')],
      ),
      h('td', {}, a.scope ?? ''),
      h('td', { class: 'num' }, `${formatNumber(a.value)} / ${formatNumber(a.threshold)}`),
      h(
        'td',
        {},
        a.state ?? '',
        a.ack
          ? h(
              'div',
              { class: 'muted' },
              `acknowledged by ${a.ack.by}${a.ack.note ? ': ' + a.ack.note : ''}`,
            )
          : null,
        a.silenced_until_ms
          ? h('div', { class: 'muted' }, `silenced until ${formatTime(a.silenced_until_ms)}`)
          : null,
      ),
      h('td', { class: 'muted' }, formatTime(a.started_at_ms)),
      h(
        'td',
        {},
        actions
          ? this.actions(a)
          : h(
              'ol',
              { class: 'transitions' },
              (a.transitions || []).map((t) =>
                h('li', {}, `${t.state} ${formatNumber(t.value)} at ${formatTime(t.at_ms)}`),
              ),
            ),
      ),
    );
  }

  actions(a) {
    const note = h('input', {
      type: 'text',
      placeholder: 'note',
      'aria-label': 'acknowledgement note',
      class: 'note',
    });
    const ack = h('button', { type: 'button', disabled: Boolean(a.ack) }, 'Acknowledge');
    ack.addEventListener('click', async () => {
      try {
        await api.post(
          `/api/admin/alerts/${api.enc(a.id)}/ack`,
          note.value.trim() ? { note: note.value.trim() } : {},
        );
        toast(`Alert ${a.id} acknowledged`);
        this.load();
      } catch (e) {
        toast(e.message, 'error');
      }
    });
    const silence = h('button', { type: 'button' }, 'Silence 1 h');
    silence.addEventListener('click', async () => {
      try {
        await api.post(`/api/admin/alerts/${api.enc(a.id)}/silence`, {
          until_ms: Date.now() + SILENCE_MS,
        });
        toast(`Alert ${a.id} silenced for an hour`);
        this.load();
      } catch (e) {
        toast(e.message, 'error');
      }
    });
    return h('div', { class: 'inline' }, note, ack, silence);
  }
}
