// Violations: refusals by the limiter, newest first, one row per episode (the refusals of one
// user, key, type and limit within a second, with their count). The list loads from
// GET /api/admin/quotas/violations with the filters, and grows live with every "violation"
// message that matches them.

import * as api from '../api.js';
import { h, replace, formatTime } from '../dom.js';

const PAGE = 100;
const MAX_ROWS = 500;

export class ViolationsTab {
  constructor(panel, feed) {
    this.panel = panel;
    this.user = h('input', {
      type: 'search',
      placeholder: 'user',
      'aria-label': 'user filter',
      id: 'violations-user',
    });
    this.type = h('input', {
      type: 'search',
      placeholder: 'type',
      'aria-label': 'type filter',
      id: 'violations-type',
    });
    this.limit = h('input', {
      type: 'search',
      placeholder: 'limit, e.g. shell-day',
      'aria-label': 'limit filter',
      id: 'violations-limit',
    });
    this.body = h('tbody');
    this.note = h('p', { class: 'hint' });
    this.count = h('span', { class: 'count' });
    this.more = h('div', { class: 'pager' });
    this.loaded = false;
    const form = h(
      'form',
      { class: 'toolbar' },
      this.user,
      this.type,
      this.limit,
      h('button', { type: 'submit' }, 'Filter'),
      this.count,
    );
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.load();
    });
    replace(
      panel,
      h('h2', {}, 'Violations'),
      form,
      this.note,
      h(
        'table',
        { class: 'violations' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', {}, 'time'),
            h('th', { class: 'num' }, 'count'),
            h('th', {}, 'user'),
            h('th', {}, 'type'),
            h('th', {}, 'limit'),
            h('th', {}, 'command'),
          ),
        ),
        this.body,
      ),
      this.more,
    );
    feed.on('violation', (d, ts) => this.live(d, ts));
  }

  show() {
    if (!this.loaded) this.load();
  }

  hide() {}

  matches(v) {
    const u = this.user.value.trim(),
      t = this.type.value.trim(),
      l = this.limit.value.trim();
    return (
      (!u || v.user === u) && (!t || v.type === t) && (!l || String(v.limit || '').includes(l))
    );
  }

  row(v, fresh) {
    return h(
      'tr',
      { class: fresh ? 'fresh' : '' },
      h('td', { class: 'muted' }, formatTime(v.at_ms)),
      h('td', { class: 'num v-count' }, String(v.count ?? 1)),
      h('td', { class: 'v-user' }, v.user ?? ''),
      h('td', {}, v.type ?? ''),
      h('td', {}, h('code', {}, v.limit ?? '')),
      h('td', { class: 'command' }, v.command ?? ''),
    );
  }

  updateCount() {
    this.count.textContent = `${this.body.rows.length} shown`;
  }

  live(v, ts) {
    if (!v.at_ms) v.at_ms = ts;
    if (!this.matches(v)) return;
    this.body.insertBefore(this.row(v, true), this.body.firstChild);
    while (this.body.rows.length > MAX_ROWS) this.body.lastChild.remove();
    this.updateCount();
  }

  async load(before) {
    this.loaded = true;
    const q = {
      user: this.user.value.trim(),
      type: this.type.value.trim(),
      limit_name: this.limit.value.trim(),
      limit: PAGE,
      before,
    };
    let r;
    try {
      r = await api.get(api.withQuery('/api/admin/quotas/violations', q));
    } catch (e) {
      if (!before) replace(this.body);
      this.note.textContent = `${e.message} New violations still appear here as they happen.`;
      replace(this.more);
      this.updateCount();
      return;
    }
    this.note.textContent = 'Live: new violations appear at the top as they happen.';
    if (!before) replace(this.body);
    for (const v of r.violations || []) this.body.appendChild(this.row(v, false));
    replace(
      this.more,
      r.next_before != null
        ? h('button', { type: 'button', onclick: () => this.load(r.next_before) }, 'Older ›')
        : null,
    );
    this.updateCount();
  }
}
