// Users: search and list users, and for one user: tier, webhook (shown redacted), keys, per-type
// usage against quota, reputation, per-user overrides (edited as rows of limits), and a reset of
// current usage.
// Below: the rules in force (GET /api/admin/quotas/config), each limit editable in place, and the
// command types (GET /api/admin/types), where an admin adds one with its default daily quota.
// Tiers and command types are the server's (GET /api/admin/tiers, /api/admin/types): a type an
// admin adds shows in every picker here and in the analytics by type.

import * as api from '../api.js';
import { EditGuard, h, replace, toast, formatNumber, formatTime } from '../dom.js';
import { usageBar } from '../charts.js';

// The kinds of limit an override row may set: [label, limit JSON without amount].
const LIMIT_KINDS = [
  ['per day', { kind: 'calendar', period: 'day' }],
  ['per week', { kind: 'calendar', period: 'week' }],
  ['per month', { kind: 'calendar', period: 'month' }],
  ['per second', { kind: 'rate', window_ms: 1000 }],
  ['per minute', { kind: 'rate', window_ms: 60000 }],
  ['per hour', { kind: 'rate', window_ms: 3600000 }],
  ['at once', { kind: 'concurrency' }],
];

function kindIndex(limit) {
  return LIMIT_KINDS.findIndex(
    ([, k]) =>
      k.kind === limit.kind &&
      (k.period === undefined || k.period === limit.period) &&
      (k.window_ms === undefined || k.window_ms === limit.window_ms),
  );
}

// The load throttle the user's checks are under (absent at factor 1 and for exempt tiers):
// "Throttled: factor 0.3 (memory at 92 %), each command waits 700 ms".
function throttleNote(t) {
  if (!t) return null;
  const why = (t.limited_by || [])
    .map((r) => `${r === 'cpu' ? 'CPU' : r} at ${Math.round(t.why?.[r]?.pct ?? 0)} %`)
    .join(', ');
  const action =
    t.action === 'refuse'
      ? 'new commands are refused'
      : t.action === 'wait'
        ? 'new commands wait for the load to fall'
        : `each command waits ${formatNumber(t.delay_ms)} ms`;
  return h(
    'p',
    { class: 'throttle-note' },
    `Throttled: factor ${t.factor}${why ? ` (${why})` : ''}, ${action}`,
  );
}

// "in 3 h 20 min": a duration from now (reset_ms counts down, it is not a date).
function inTime(ms) {
  const m = Math.round(ms / 60000);
  if (m < 1) return `in ${Math.max(1, Math.round(ms / 1000))} s`;
  if (m < 60) return `in ${m} min`;
  const hh = Math.floor(m / 60);
  if (hh < 48) return `in ${hh} h ${m % 60} min`;
  return `in ${Math.round(hh / 24)} days`;
}

// "per day", "per 60 s", "at once": the window of a quota line or limit.
function describeWindow(l) {
  if (l.kind === 'calendar') return `per ${l.period}`;
  if (l.kind === 'rate')
    return l.window_ms % 1000 === 0 ? `per ${l.window_ms / 1000} s` : `per ${l.window_ms} ms`;
  if (l.kind === 'concurrency') return 'at once';
  return l.period || l.policy || '';
}

export function describeLimit(l) {
  const i = kindIndex(l);
  if (i >= 0) return `${formatNumber(l.amount)} ${LIMIT_KINDS[i][0]}`;
  if (l.kind === 'rate') return `${formatNumber(l.amount)} per ${l.window_ms} ms`;
  return `${formatNumber(l.amount)} ${l.kind}${l.period ? ' ' + l.period : ''}`;
}

function describeSubject(s) {
  if (!s) return 'everyone';
  if (s.kind === 'tier') return `tier ${s.tier}`;
  if (s.kind === 'global') return 'global default';
  return `${s.kind} ${s.name ?? s.user ?? s.id ?? ''}`.trim();
}

// A two-step button: the first click arms it, the second (within 5 s) runs `fn`.
function confirmButton(label, armedLabel, fn) {
  let armed = null;
  const b = h('button', { type: 'button', class: 'danger' }, label);
  b.addEventListener('click', async () => {
    if (!armed) {
      b.textContent = armedLabel;
      b.classList.add('armed');
      armed = setTimeout(() => {
        armed = null;
        b.textContent = label;
        b.classList.remove('armed');
      }, 5000);
      return;
    }
    clearTimeout(armed);
    armed = null;
    b.textContent = label;
    b.classList.remove('armed');
    b.disabled = true;
    try {
      await fn();
    } finally {
      b.disabled = false;
    }
  });
  return b;
}

function fail(e) {
  const field = e.body && e.body.field ? ` (${e.body.field})` : '';
  toast(`${e.message}${field}`, 'error');
}

// Replaces the options of `select` with `names` (after `first`, if any), keeping its choice.
function fillSelect(select, names, first = null) {
  const chosen = select.value;
  replace(
    select,
    first,
    names.map((n) => h('option', { value: n, selected: n === chosen }, n)),
  );
}

export class UsersTab {
  constructor(panel, feed) {
    this.panel = panel;
    this.loaded = false;
    this.selected = null;
    this.tiers = []; // names, as the server lists them
    this.types = [];
    this.q = h('input', {
      type: 'search',
      placeholder: 'search by name',
      'aria-label': 'search users',
      id: 'user-search',
    });
    this.tier = h(
      'select',
      { 'aria-label': 'tier filter' },
      h('option', { value: '' }, 'any tier'),
    );
    this.list = h('div', { class: 'user-list' });
    this.detail = h('div', { class: 'user-detail' });
    this.rules = h('div', { class: 'rules' });
    this.typeList = h('div', { class: 'types' });
    this.more = null;
    let timer = null;
    this.q.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(() => this.search(), 250);
    });
    this.tier.addEventListener('change', () => this.search());
    const newName = h('input', {
      type: 'text',
      placeholder: 'new user name',
      'aria-label': 'new user name',
    });
    const newTier = h('select', { 'aria-label': 'new user tier' });
    this.newTier = newTier;
    const create = h(
      'form',
      { class: 'inline' },
      newName,
      newTier,
      h('button', { type: 'submit' }, 'Add user'),
    );
    create.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      try {
        await api.post('/api/admin/users', { name: newName.value.trim(), tier: newTier.value });
        toast(`User ${newName.value.trim()} added`);
        const name = newName.value.trim();
        newName.value = '';
        await this.search();
        this.open(name);
      } catch (e) {
        fail(e);
      }
    });
    replace(
      panel,
      h('h2', {}, 'Users'),
      h(
        'div',
        { class: 'columns users' },
        h(
          'section',
          { class: 'card' },
          h('div', { class: 'toolbar' }, this.q, this.tier),
          this.list,
          create,
        ),
        h('section', { class: 'card grow' }, this.detail),
      ),
      h('section', { class: 'card' }, h('h3', {}, 'Rules in force'), this.rules),
      h('section', { class: 'card' }, h('h3', {}, 'Command types'), this.typeList),
    );
    replace(this.detail, h('p', { class: 'hint' }, 'Choose a user to see their usage and limits.'));
    feed.on('config_changed', (d) => {
      if (!this.loaded) return;
      if (d.what === 'rule') this.loadRules(true);
      if (d.what === 'type') this.loadCatalog(true).then(() => this.loadRules(true));
      if (d.what === 'user') {
        this.search();
        if (this.selected && (d.id === this.selected || d.id === undefined))
          this.open(this.selected, true);
      }
    });
    // A live update must not draw over an edit not yet saved (`live` loads below).
    this.detailGuard = new EditGuard(this.detail);
    this.rulesGuard = new EditGuard(this.rules);
    this.typesGuard = new EditGuard(this.typeList);
  }

  show() {
    if (this.loaded) {
      if (this.selected) this.open(this.selected);
      return;
    }
    this.loaded = true;
    this.loadCatalog().then(() => {
      this.search();
      this.loadRules();
    });
  }

  // The tiers and command types the server knows, into every picker and the types card;
  // `live`: another admin changed them, so an edit not yet saved is not drawn over.
  async loadCatalog(live = false) {
    const mark = this.typesGuard.mark(live);
    try {
      const [tiers, types] = await Promise.all([
        api.get('/api/admin/tiers'),
        api.get('/api/admin/types'),
      ]);
      this.tiers = (tiers.tiers || []).map((t) => t.name);
      this.typeRows = types.types || [];
      this.types = this.typeRows.map((t) => t.name);
    } catch (e) {
      replace(this.typeList, h('p', { class: 'error' }, e.message));
      return;
    }
    fillSelect(this.tier, this.tiers, h('option', { value: '' }, 'any tier'));
    fillSelect(this.newTier, this.tiers);
    if (this.typesGuard.mayDraw(mark, () => this.loadCatalog())) this.showTypes();
    // The overrides' type pickers follow the types, without drawing over an edit there.
    if (this.selected) this.open(this.selected, true);
  }

  // The command types, an added one removable, and the form that adds one.
  showTypes() {
    const rows = this.typeRows.map((t) =>
      h(
        'tr',
        { dataset: { type: t.name } },
        h('td', {}, t.name),
        h('td', {}, t.description || ''),
        h(
          'td',
          {},
          t.builtin
            ? h('span', { class: 'badge' }, 'built-in')
            : confirmButton('Remove', 'Click again to remove, with its rules', async () => {
                try {
                  await api.del(`/api/admin/types/${api.enc(t.name)}`);
                  toast(`Type ${t.name} removed`);
                  await this.loadCatalog();
                  this.loadRules();
                } catch (e) {
                  fail(e);
                }
              }),
        ),
      ),
    );
    const name = h('input', {
      type: 'text',
      placeholder: 'new type name',
      'aria-label': 'new type name',
    });
    const description = h('input', {
      type: 'text',
      placeholder: 'description',
      'aria-label': 'new type description',
    });
    const daily = h('input', {
      type: 'number',
      min: 1,
      step: 1,
      placeholder: 'per day (default tier)',
      'aria-label': 'new type daily quota',
    });
    const form = h(
      'form',
      { class: 'inline add-type' },
      name,
      description,
      daily,
      h('button', { type: 'submit' }, 'Add type'),
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const body = { name: name.value.trim(), description: description.value.trim() };
      if (daily.value !== '')
        body.limits = {
          default: [{ kind: 'calendar', period: 'day', amount: Number(daily.value) }],
        };
      try {
        await api.post('/api/admin/types', body);
        toast(`Type ${body.name} added`);
        await this.loadCatalog();
        this.loadRules();
      } catch (e) {
        fail(e);
      }
    });
    replace(
      this.typeList,
      h(
        'table',
        { class: 'types-table' },
        h('thead', {}, h('tr', {}, h('th', {}, 'name'), h('th', {}, 'description'), h('th'))),
        h('tbody', {}, rows),
      ),
      form,
    );
  }

  hide() {}

  async search(offset = 0) {
    let r;
    try {
      r = await api.get(
        api.withQuery('/api/admin/users', {
          q: this.q.value.trim(),
          tier: this.tier.value,
          limit: 50,
          offset,
        }),
      );
    } catch (e) {
      replace(this.list, h('p', { class: 'error' }, e.message));
      return;
    }
    const users = r.users || [];
    const rows = users.map((u) =>
      h(
        'tr',
        { class: u.name === this.selected ? 'selected' : '', dataset: { user: u.name } },
        h(
          'td',
          {},
          h('button', { type: 'button', class: 'link', onclick: () => this.open(u.name) }, u.name),
        ),
        h(
          'td',
          {},
          h(
            'span',
            { class: `tier tier-${this.tiers.includes(u.tier) ? u.tier : 'default'}` },
            u.tier,
          ),
        ),
        h('td', { class: 'muted' }, formatTime(u.created_at_ms)),
      ),
    );
    const table = h(
      'table',
      { class: 'users-table' },
      h('thead', {}, h('tr', {}, h('th', {}, 'name'), h('th', {}, 'tier'), h('th', {}, 'created'))),
      h('tbody', {}, rows),
    );
    const pager = h(
      'div',
      { class: 'pager' },
      offset > 0
        ? h(
            'button',
            { type: 'button', onclick: () => this.search(Math.max(0, offset - 50)) },
            '‹ Previous',
          )
        : null,
      r.next_offset != null
        ? h('button', { type: 'button', onclick: () => this.search(r.next_offset) }, 'Next ›')
        : null,
    );
    replace(this.list, users.length ? table : h('p', { class: 'empty' }, 'No users match.'), pager);
  }

  // Shows user `name`; `live`: drawn again because someone changed them, so an edit of the
  // admin's not yet saved is not drawn over.
  async open(name, live = false) {
    this.selected = name;
    for (const tr of this.list.querySelectorAll('tr[data-user]'))
      tr.classList.toggle('selected', tr.dataset.user === name);
    const mark = this.detailGuard.mark(live);
    let u;
    try {
      u = await api.get(`/api/admin/users/${api.enc(name)}`);
    } catch (e) {
      this.drawnName = null;
      replace(this.detail, h('h3', {}, name), h('p', { class: 'error' }, e.message));
      return;
    }
    if (this.selected !== name) return;
    const user = u.user || u;
    // Another user is drawn whatever was typed; the same one gives way to an edit.
    const since = name === this.drawnName ? mark : this.detailGuard.mark();
    if (!this.detailGuard.mayDraw(since, () => this.open(this.selected))) return;
    this.drawnName = name;
    const typing = document.activeElement === this.webhookInput;
    replace(
      this.detail,
      h('h3', { class: 'user-name' }, user.name),
      this.tierEditor(user),
      this.webhookEditor(user),
      h('h4', {}, 'Usage against quota'),
      throttleNote(u.throttle),
      this.quota(u.quota || []),
      h(
        'div',
        { class: 'actions' },
        confirmButton('Reset usage', 'Click again to reset', async () => {
          try {
            await api.post(`/api/admin/users/${api.enc(user.name)}/reset`);
            toast(`Usage of ${user.name} reset`);
            this.open(user.name);
          } catch (e) {
            fail(e);
          }
        }),
      ),
      h('h4', {}, 'Overrides'),
      this.overrides(user.name, u.overrides || []),
      h('h4', {}, 'Reputation'),
      this.reputation(user.name, u.reputation),
      h('h4', {}, 'Keys'),
      this.keys(u.keys || []),
    );
    if (typing) this.webhookInput.focus();
  }

  tierEditor(user) {
    const select = h(
      'select',
      { 'aria-label': 'tier', class: 'tier-select' },
      [...new Set([...this.tiers, user.tier])].map((t) =>
        h('option', { value: t, selected: t === user.tier }, t),
      ),
    );
    const save = h('button', { type: 'button' }, 'Set tier');
    save.addEventListener('click', async () => {
      try {
        await api.put(`/api/admin/users/${api.enc(user.name)}`, { tier: select.value });
        toast(`${user.name} is now ${select.value}`);
        this.search();
        this.open(user.name);
      } catch (e) {
        fail(e);
      }
    });
    return h('div', { class: 'inline' }, h('span', {}, 'Tier '), select, save);
  }

  // The user's own webhook, where their quota warnings are POSTed. The server shows it only
  // redacted, so the field starts empty and saving sends what is typed ("" clears it). A live
  // update draws the same user again; the field is kept as the same element across such
  // redraws, so what is being typed into it is never left behind in a detached copy.
  webhookEditor(user) {
    const shown = h('span', { class: 'webhook-url' }, user.webhook_url ? user.webhook_url : 'none');
    if (this.webhookFor !== user.name) {
      this.webhookFor = user.name;
      this.webhookInput = h('input', {
        type: 'url',
        'aria-label': 'webhook URL',
        placeholder: 'https://… (empty: none)',
      });
    }
    const input = this.webhookInput;
    const save = h('button', { type: 'button' }, 'Set webhook');
    save.addEventListener('click', async () => {
      try {
        await api.patch(`/api/admin/users/${api.enc(user.name)}`, {
          webhook_url: input.value.trim(),
        });
        toast(
          input.value.trim() ? `Webhook of ${user.name} set` : `Webhook of ${user.name} cleared`,
        );
        input.value = ''; // saved: the redraw shows it redacted
        this.open(user.name);
      } catch (e) {
        fail(e);
      }
    });
    return h('div', { class: 'inline' }, h('span', {}, 'Webhook '), shown, input, save);
  }

  quota(items) {
    if (!items.length) return h('p', { class: 'empty' }, 'No quota in force.');
    return h(
      'table',
      { class: 'quota' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, 'type'),
          h('th', {}, 'period'),
          h('th', {}, 'use'),
          h('th', { class: 'num' }, 'used'),
          h('th', { class: 'num' }, 'limit'),
          h('th', {}, 'resets'),
        ),
      ),
      h(
        'tbody',
        {},
        items.map((q) => {
          const unlimited = q.limit === null || q.limit === undefined || q.limit < 0;
          return h(
            'tr',
            { dataset: { type: q.type, period: q.period || '' } },
            h('td', {}, q.type),
            h('td', { title: q.policy || '' }, describeWindow(q)),
            h('td', {}, usageBar(q.used || 0, unlimited ? null : q.limit)),
            h('td', { class: 'num' }, formatNumber(q.used || 0)),
            h('td', { class: 'num' }, unlimited ? '∞' : formatNumber(q.limit)),
            h('td', { class: 'muted' }, q.reset_ms > 0 ? inTime(q.reset_ms) : '–'),
          );
        }),
      ),
    );
  }

  // The override rules as editable rows {type, kind, amount}; saving replaces them all.
  overrides(name, rules) {
    const rows = [];
    for (const rule of rules) {
      for (const l of rule.limits || []) rows.push({ type: rule.command_type || '', limit: l });
    }
    const body = h('tbody');
    const addRow = (row) => {
      const type = h(
        'select',
        { 'aria-label': 'override type', class: 'ov-type' },
        h('option', { value: '' }, 'every type'),
        [...new Set([...this.types, row.type].filter(Boolean))].map((t) =>
          h('option', { value: t, selected: t === row.type }, t),
        ),
      );
      const ki = Math.max(0, kindIndex(row.limit));
      const kind = h(
        'select',
        { 'aria-label': 'override kind', class: 'ov-kind' },
        LIMIT_KINDS.map(([label], i) =>
          h('option', { value: String(i), selected: i === ki }, label),
        ),
      );
      const amount = h('input', {
        type: 'number',
        min: 0,
        step: 1,
        value: row.limit.amount ?? '',
        'aria-label': 'override amount',
        class: 'ov-amount',
      });
      const tr = h(
        'tr',
        {},
        h('td', {}, type),
        h('td', {}, amount),
        h('td', {}, kind),
        h(
          'td',
          {},
          h('button', { type: 'button', class: 'link', onclick: () => tr.remove() }, 'remove'),
        ),
      );
      body.appendChild(tr);
    };
    rows.forEach(addRow);
    const save = h('button', { type: 'button', class: 'primary save-overrides' }, 'Save overrides');
    save.addEventListener('click', async () => {
      const limits = [];
      for (const tr of body.querySelectorAll('tr')) {
        const amount = tr.querySelector('.ov-amount').value;
        if (amount === '') continue;
        const l = {
          ...LIMIT_KINDS[Number(tr.querySelector('.ov-kind').value)][1],
          amount: Number(amount),
        };
        const t = tr.querySelector('.ov-type').value;
        if (t) l.type = t;
        limits.push(l);
      }
      try {
        await api.put(`/api/admin/users/${api.enc(name)}/overrides`, { limits });
        toast(`Overrides of ${name} saved`);
        this.open(name);
      } catch (e) {
        fail(e);
      }
    });
    return h(
      'div',
      { class: 'overrides' },
      h(
        'table',
        {},
        h(
          'thead',
          {},
          h('tr', {}, h('th', {}, 'type'), h('th', {}, 'amount'), h('th', {}, 'limit'), h('th')),
        ),
        body,
      ),
      h(
        'div',
        { class: 'actions' },
        h(
          'button',
          {
            type: 'button',
            class: 'add-override',
            onclick: () => addRow({ type: 'shell', limit: { kind: 'calendar', period: 'day' } }),
          },
          'Add limit',
        ),
        save,
      ),
    );
  }

  reputation(name, rep) {
    if (!rep) return h('p', { class: 'empty' }, 'No reputation recorded.');
    return h(
      'div',
      { class: 'inline' },
      h('span', {}, `score ${formatNumber(rep.score)} · limits × ${formatNumber(rep.factor)}`),
      confirmButton('Reset reputation', 'Click again to reset', async () => {
        try {
          await api.post(`/api/admin/users/${api.enc(name)}/reputation/reset`);
          toast(`Reputation of ${name} reset`);
          this.open(name);
        } catch (e) {
          fail(e);
        }
      }),
    );
  }

  keys(keys) {
    if (!keys.length) return h('p', { class: 'empty' }, 'No keys.');
    return h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, 'id'),
          h('th', {}, 'role'),
          h('th', {}, 'label'),
          h('th', {}, 'created'),
          h('th'),
        ),
      ),
      h(
        'tbody',
        {},
        keys.map((k) =>
          h(
            'tr',
            {},
            h('td', {}, String(k.id)),
            h('td', {}, k.role),
            h('td', {}, k.label || ''),
            h('td', { class: 'muted' }, formatTime(k.created_at_ms)),
            h(
              'td',
              {},
              k.revoked_at_ms
                ? h('span', { class: 'muted' }, 'revoked')
                : confirmButton('Revoke', 'Click again to revoke', async () => {
                    try {
                      await api.del(`/api/admin/keys/${k.id}`);
                      toast(`Key ${k.id} revoked`);
                      if (this.selected) this.open(this.selected);
                    } catch (e) {
                      fail(e);
                    }
                  }),
            ),
          ),
        ),
      ),
    );
  }

  async loadRules(live = false) {
    const mark = this.rulesGuard.mark(live);
    let r;
    try {
      r = await api.get('/api/admin/quotas/config');
    } catch (e) {
      replace(this.rules, h('p', { class: 'error' }, e.message));
      return;
    }
    if (!this.rulesGuard.mayDraw(mark, () => this.loadRules())) return;
    const rules = r.rules || [];
    if (!rules.length) {
      replace(this.rules, h('p', { class: 'empty' }, 'No rules.'));
      return;
    }
    replace(
      this.rules,
      h(
        'table',
        { class: 'rules-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', {}, 'id'),
            h('th', {}, 'applies to'),
            h('th', {}, 'type'),
            h('th', {}, 'limits'),
            h('th', {}, 'mode'),
            h('th', { title: 'while the shared counters (Redis) do not answer' }, 'outage'),
            h('th'),
          ),
        ),
        h(
          'tbody',
          {},
          rules.map((rule) => this.ruleRow(rule)),
        ),
      ),
    );
  }

  ruleRow(rule) {
    const limits = h('td', { class: 'limits' });
    const inputs = (rule.limits || []).map((l) => {
      const input = h('input', {
        type: 'number',
        min: 0,
        step: 1,
        value: l.amount,
        class: 'rule-amount',
        'aria-label': `${describeLimit(l)}`,
      });
      limits.appendChild(
        h('label', { class: 'limit' }, input, ' ', describeLimit(l).replace(/^[\d.,kM]+ /, '')),
      );
      return input;
    });
    // While Redis does not answer: the rule's own policy, or the server's (GAIA_REDIS_FAILURE).
    const outage = h(
      'select',
      { class: 'rule-outage', 'aria-label': 'while the shared counters are away' },
      ['', 'closed', 'local', 'open'].map((p) =>
        h('option', { value: p, selected: (rule.outage || '') === p }, p || 'server default'),
      ),
    );
    // A built-in rule is read-only: saving it creates a stored rule for the same subject and
    // command type, which overrides it.
    const save = h(
      'button',
      { type: 'button', class: 'save-rule' },
      rule.builtin ? 'Override' : 'Save',
    );
    save.addEventListener('click', async () => {
      const updated = {
        ...rule,
        limits: (rule.limits || []).map((l, i) => ({ ...l, amount: Number(inputs[i].value) })),
        outage: outage.value || null,
      };
      for (const k of ['id', 'builtin', 'overridden', 'updated_at_ms']) delete updated[k];
      try {
        if (rule.builtin) {
          updated.name = `override-${rule.id}`;
          const created = await api.post('/api/admin/quotas/config', updated);
          toast(`Rule ${created.id} overrides ${rule.id}`);
        } else {
          await api.put(`/api/admin/quotas/config/${api.enc(rule.id)}`, updated);
          toast(`Rule ${rule.id} saved`);
        }
        this.loadRules();
      } catch (e) {
        fail(e);
      }
    });
    const del = rule.builtin
      ? null
      : confirmButton('Delete', 'Click again to delete', async () => {
          try {
            await api.del(`/api/admin/quotas/config/${api.enc(rule.id)}`);
            toast(`Rule ${rule.id} deleted`);
            this.loadRules();
          } catch (e) {
            fail(e);
          }
        });
    return h(
      'tr',
      { dataset: { rule: String(rule.id) } },
      h(
        'td',
        {},
        String(rule.id),
        rule.builtin
          ? h('span', { class: 'badge' }, rule.overridden ? 'built-in, overridden' : 'built-in')
          : null,
      ),
      h('td', {}, describeSubject(rule.subject)),
      h('td', {}, rule.command_type || 'every type'),
      limits,
      h('td', {}, rule.enforcement || 'enforce'),
      h('td', {}, outage),
      h('td', {}, save, ' ', del),
    );
  }
}
