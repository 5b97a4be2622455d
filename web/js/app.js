// The dashboard's entry point: sign-in and sign-out, the six tabs, the live feed and its
// connection state. The admin key is read from the form once, sent to POST /api/admin/session
// and dropped; from then on the HttpOnly session cookie authenticates every request and the
// WebSocket. Signing out ends the session on the server and reloads the page, so nothing that
// was shown stays in memory.

import * as api from './api.js';
import { replace, toast } from './dom.js';
import { LiveFeed } from './live.js';
import { OverviewTab } from './tabs/overview.js';
import { UsersTab } from './tabs/users.js';
import { AnalyticsTab } from './tabs/analytics.js';
import { ViolationsTab } from './tabs/violations.js';
import { AlertsTab } from './tabs/alerts.js';
import { HealthTab } from './tabs/health.js';

const TABS = {
  overview: OverviewTab,
  users: UsersTab,
  analytics: AnalyticsTab,
  violations: ViolationsTab,
  alerts: AlertsTab,
  health: HealthTab,
};

const $ = (id) => document.getElementById(id);

let feed = null;
let tabs = null;
let current = null;

function showSignIn(message) {
  $('app').classList.add('hidden');
  $('sign-out').classList.add('hidden');
  $('sign-in').classList.remove('hidden');
  $('sign-in-error').textContent = message || '';
  $('key').focus();
}

function connectionState(state, detail) {
  const el = $('conn');
  el.className = `conn conn-${state}`;
  if (state === 'reconnecting') {
    el.textContent = `reconnecting in ${Math.ceil((detail.in_ms || 0) / 1000)} s`;
  } else {
    el.textContent = state;
  }
}

function selectTab(name) {
  if (!TABS[name]) name = 'overview';
  for (const b of document.querySelectorAll('.tabs button')) {
    const on = b.dataset.tab === name;
    b.classList.toggle('active', on);
    b.setAttribute('aria-selected', on ? 'true' : 'false');
  }
  for (const [key, tab] of Object.entries(tabs)) {
    const panel = $(`panel-${key}`);
    const on = key === name;
    panel.classList.toggle('hidden', !on);
    if (on && current !== key) tab.show();
    if (!on && current === key) tab.hide();
  }
  current = name;
  if (location.hash !== `#${name}`) history.replaceState(null, '', `#${name}`);
}

function startApp() {
  $('sign-in').classList.add('hidden');
  $('app').classList.remove('hidden');
  $('sign-out').classList.remove('hidden');
  feed = new LiveFeed();
  feed.onState(connectionState);
  // A feed that keeps failing may mean the session ended: check before retrying forever.
  let failures = 0;
  feed.onState(async (state) => {
    if (state === 'live') failures = 0;
    if (state !== 'reconnecting' || ++failures < 2) return;
    try {
      if (!(await api.signedIn())) endSession('Your session has ended. Sign in again.');
    } catch {
      // The server is unreachable: keep retrying.
    }
  });
  feed.on('config_changed', (d) => {
    const by = d.by ? ` by ${d.by}` : '';
    toast(`${d.what || 'config'} ${d.id ?? ''} ${d.action || 'changed'}${by}`.replace(/\s+/g, ' '));
  });
  tabs = {};
  for (const [name, Tab] of Object.entries(TABS)) {
    tabs[name] = new Tab($(`panel-${name}`), feed);
  }
  feed.start();
  selectTab(location.hash.slice(1));
}

// Forgets everything shown: the feed stops, the panels are emptied, and the page reloads.
function endSession(message) {
  if (feed) feed.stop();
  feed = null;
  tabs = null;
  for (const p of document.querySelectorAll('.panel')) replace(p);
  if (message) sessionStorage.setItem('gaia.notice', message);
  location.replace('/admin/quotas');
}

async function onSignIn(ev) {
  ev.preventDefault();
  const input = $('key');
  const button = ev.target.querySelector('button');
  button.disabled = true;
  $('sign-in-error').textContent = '';
  try {
    // The key goes from the field to the request and nowhere else.
    const pending = api.signIn(input.value.trim());
    input.value = '';
    await pending;
    startApp();
  } catch (e) {
    showSignIn(
      e.status === 403
        ? 'That key is not an admin key.'
        : e.status === 401
          ? 'Unknown or revoked key.'
          : `Sign-in failed: ${e.message}`,
    );
  } finally {
    button.disabled = false;
  }
}

async function onSignOut() {
  try {
    await api.signOut();
  } catch {
    // Signed out locally whatever the server said; the cookie is HttpOnly and expires anyway.
  }
  endSession('Signed out.');
}

async function main() {
  $('sign-in-form').addEventListener('submit', onSignIn);
  $('sign-out').addEventListener('click', onSignOut);
  for (const b of document.querySelectorAll('.tabs button')) {
    b.addEventListener('click', () => selectTab(b.dataset.tab));
  }
  window.addEventListener('hashchange', () => tabs && selectTab(location.hash.slice(1)));
  api.setUnauthorizedHandler(() => {
    if (tabs) endSession('Your session has ended. Sign in again.');
  });
  const notice = sessionStorage.getItem('gaia.notice');
  sessionStorage.removeItem('gaia.notice');
  let ok = false;
  try {
    ok = await api.signedIn();
  } catch (e) {
    showSignIn(`The server did not answer: ${e.message}`);
    return;
  }
  if (ok) startApp();
  else showSignIn(notice);
}

main();
