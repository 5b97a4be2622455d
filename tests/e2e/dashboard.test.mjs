// Browser tests of the admin dashboard (/admin/quotas): a real gaia_server, headless Debian
// Chromium driven by playwright-core. One server and one browser page for the whole file; the
// steps run in order, as an operator would use the page.
//
//   GAIA_SERVER=build/dev/src/app/gaia_server node --test tests/e2e/dashboard.test.mjs
//   GAIA_SCREENSHOTS=docs/screenshots ...   also saves a screenshot of every tab there

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { chromium } from 'playwright-core';

import { ADMIN_KEY, GaiaServer } from './server.mjs';

const BINARY = process.env.GAIA_SERVER;
const SHOTS = process.env.GAIA_SCREENSHOTS ? resolve(process.env.GAIA_SCREENSHOTS) : null;
const HOSTILE = '<img src=x onerror=alert(1)>';
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
const TABS = ['overview', 'users', 'analytics', 'violations', 'alerts', 'health'];

let server;
let browser;
let page;
const dialogs = [];
const pageErrors = [];
const keys = {};  // user name -> API key

async function check(user, type, command) {
  return server.call('POST', '/api/v1/check', { type, command }, keys[user]);
}

async function addUser(name, tier = 'default', label = 'e2e', limits = undefined) {
  const u = await server.call('POST', '/api/admin/users', { name, tier });
  assert.equal(u.status, 201, JSON.stringify(u.body));
  const k = await server.call('POST', `/api/admin/users/${name}/keys`, { role: 'user', label, limits });
  assert.equal(k.status, 201, JSON.stringify(k.body));
  keys[name] = k.body.key;
}

async function openTab(name) {
  await page.click(`.tabs button[data-tab="${name}"]`);
  await page.locator(`#panel-${name}`).waitFor({ state: 'visible' });
}

async function screenshot(name) {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

before(async () => {
  assert.ok(BINARY && existsSync(BINARY), 'GAIA_SERVER must name the gaia_server binary');
  server = await GaiaServer.start(BINARY);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  page = await context.newPage();
  page.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    d.dismiss().catch(() => {});
  });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  // Some traffic, so the tabs have something to show: admissions, refusals, several types.
  await addUser('alice', 'premium');
  await addUser('bob');
  await addUser('carol', 'default', HOSTILE);
  // Dave's key allows one "review" a day: his second is refused.
  await addUser('dave', 'default', 'e2e', [{ type: 'review', kind: 'calendar', period: 'day', amount: 1 }]);
  for (let i = 0; i < 6; i++) await check('alice', 'shell', `make -j${i}`);
  for (let i = 0; i < 4; i++) await check('alice', 'test', 'ctest');
  for (let i = 0; i < 3; i++) await check('bob', 'code', 'git commit');
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

test('the start-up lines say where the dashboard is and how to sign in', () => {
  assert.match(server.stdout, new RegExp(`\\[INFO\\] Dashboard: http://.*:${server.port}/admin/quotas`));
  assert.match(server.stdout, /\[INFO\] Dashboard sign-in: an admin key/);
});

test('the page is served with the strict content security policy', async () => {
  const res = await page.goto(`${server.base}/admin/quotas`);
  assert.equal(res.status(), 200);
  const headers = res.headers();
  assert.equal(headers['content-security-policy'], CSP);
  assert.equal(headers['x-content-type-options'], 'nosniff');
  assert.equal(headers['referrer-policy'], 'no-referrer');
  assert.ok(headers.etag);
  await page.locator('#sign-in').waitFor({ state: 'visible' });
});

test('a key that is not an admin key cannot sign in', async () => {
  await page.fill('#key', keys.bob);
  await page.click('#sign-in-form button[type=submit]');
  await page.locator('#sign-in-error', { hasText: 'not an admin key' }).waitFor();
  assert.equal(await page.locator('#app').isVisible(), false);
});

test('an admin signs in; the key is not kept by the page', async () => {
  await page.fill('#key', ADMIN_KEY);
  await page.click('#sign-in-form button[type=submit]');
  await page.locator('.tabs').waitFor({ state: 'visible' });
  assert.equal(await page.inputValue('#key'), '');
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie);
  assert.ok(!stored.includes(ADMIN_KEY), 'the key is in storage or a readable cookie');
  // The live feed connects with the session cookie.
  await page.locator('#conn.conn-live').waitFor({ timeout: 15_000 });
});

test('every tab opens', async () => {
  for (const name of TABS) {
    await openTab(name);
    assert.equal(await page.getAttribute(`.tabs button[data-tab="${name}"]`, 'aria-selected'), 'true');
    assert.ok((await page.locator(`#panel-${name} h2`).textContent()).length > 0);
  }
  // The overview fills from the live stats (every 5 s).
  await openTab('overview');
  await page.locator('#panel-overview [data-stat="admissions"]', { hasText: /^\d+/ }).waitFor({ timeout: 15_000 });
  await page.locator('#panel-health [data-stat="status"]', { hasText: 'ok' }).waitFor({ state: 'attached' });
  // The Health tab shows the alerting figures that the health details always carry.
  const alerting = page.locator('#panel-health section.card', { has: page.locator('h3', { hasText: 'Alerting' }) });
  await alerting.locator('dt', { hasText: 'rules' }).waitFor({ state: 'attached' });
  // Where the limits are counted: in memory here, and reachable.
  const counters = page.locator('#panel-health section.card.counters');
  await counters.locator('dd', { hasText: /^memory$/ }).waitFor({ state: 'attached' });
  // The nodes table: this server alone, healthy, marked as the node serving the page.
  const nodeRow = page.locator('#panel-health table.nodes tbody tr', { hasText: 'this node' });
  await nodeRow.waitFor({ state: 'attached' });
  assert.equal(await page.locator('#panel-health table.nodes tbody tr').count(), 1);
  assert.match(await nodeRow.locator('td').nth(2).textContent(), /^ok$/);
  assert.equal(await page.locator('#panel-overview .chart-box + .error:not(.hidden)').count(), 0);
});

test('a violation appears live in the Violations tab, shown as text', async () => {
  await openTab('violations');
  await page.locator('#panel-violations .hint', { hasText: /Live|New violations/ }).waitFor();
  assert.equal((await check('dave', 'review', 'make review')).status, 200);
  const refused = await check('dave', 'review', HOSTILE);
  assert.equal(refused.status, 429, JSON.stringify(refused.body));
  const cell = page.locator('#panel-violations tbody tr td.command', { hasText: HOSTILE });
  await cell.first().waitFor({ timeout: 15_000 });
  assert.equal(await cell.first().textContent(), HOSTILE);
  const row = page.locator('#panel-violations tbody tr', { has: page.locator('td.command', { hasText: HOSTILE }) });
  assert.equal(await row.first().locator('td.v-user').textContent(), 'dave');
  assert.match(await row.first().locator('td').nth(4).textContent(), /day/);
  assert.equal(await page.locator('#panel-violations img').count(), 0);
  // The filters reload the stored list: only bob's refusals (he has none) or dave's.
  await page.fill('#violations-user', 'bob');
  await page.click('#panel-violations form button[type=submit]');
  await page.locator('#panel-violations .count', { hasText: '0 shown' }).waitFor();
  await page.fill('#violations-user', 'dave');
  await page.click('#panel-violations form button[type=submit]');
  await page.locator('#panel-violations td.v-user').first().waitFor();
  const users = await page.locator('#panel-violations td.v-user').allTextContents();
  assert.ok(users.length >= 1 && users.every((u) => u === 'dave'), users.join(','));
  await page.fill('#violations-user', '');
  await page.click('#panel-violations form button[type=submit]');
});

test('the Overview lists the busiest users of the live stats', async () => {
  await openTab('overview');
  // dave's admitted check and refusal above reach the next 5 s stats.
  const line = page.locator('#panel-overview ol li', { hasText: /^dave · / });
  await line.first().waitFor({ timeout: 15_000 });
  assert.match(await line.first().textContent(), /^dave · \d+ admitted, [1-9]\d* refused$/);
});

test('an alert fires live in the Alerts tab and is acknowledged there', async () => {
  await openTab('alerts');
  await page.locator('#panel-alerts .empty.ok', { hasText: 'Nothing is firing' }).waitFor();
  // Any refusal in the last minutes fires it; dave's refusal above is one.
  const rule = await server.call('POST', '/api/admin/alerts/rules', {
    name: 'e2e refusals seen', metric: 'violation_rate', condition: '>', threshold: 0, for: 0,
    severity: 'critical', cooldown: 0, channels: ['websocket'],
  });
  assert.equal(rule.status, 201, JSON.stringify(rule.body));
  const firing = page.locator('#panel-alerts section.firing tr', { hasText: 'e2e refusals seen' });
  await firing.waitFor({ timeout: 20_000 });
  await firing.locator('input.note').fill('looking into it');
  // Another alert fires while the note is typed: the section says so and keeps the note.
  const second = await server.call('POST', '/api/admin/alerts/rules', {
    name: 'e2e refusals seen again', metric: 'violation_rate', condition: '>', threshold: 0, for: 0,
    severity: 'info', cooldown: 0, channels: ['websocket'],
  });
  assert.equal(second.status, 201, JSON.stringify(second.body));
  await page.locator('#panel-alerts section.firing .changed-elsewhere').waitFor({ timeout: 20_000 });
  assert.equal(await firing.locator('input.note').inputValue(), 'looking into it');
  await firing.locator('button', { hasText: 'Acknowledge' }).click();
  await page.locator('#panel-alerts', { hasText: 'acknowledged by admin: looking into it' }).first().waitFor();
  // Acknowledged, the section is drawn again, the second alert in it.
  await page.locator('#panel-alerts section.firing tr', { hasText: 'e2e refusals seen again' }).waitFor();
  assert.equal((await server.call('DELETE', `/api/admin/alerts/rules/${second.body.id}`)).status, 200);
});

test('alerts of one rule fired together show as one row that expands to each, acknowledged one by one', async () => {
  await openTab('alerts');
  // Two more users refused, besides dave: a rule per user fires for the three in one round.
  for (const name of ['erin', 'frank']) {
    await addUser(name, 'default', 'e2e', [{ type: 'review', kind: 'calendar', period: 'day', amount: 1 }]);
    assert.equal((await check(name, 'review', 'make review')).status, 200);
    assert.equal((await check(name, 'review', 'make review')).status, 429);
  }
  const rule = await server.call('POST', '/api/admin/alerts/rules', {
    name: 'e2e users refused', metric: 'violation_rate', scope: 'user', condition: '>', threshold: 0,
    for: 0, severity: 'warning', cooldown: 0, channels: ['websocket'],
  });
  assert.equal(rule.status, 201, JSON.stringify(rule.body));
  // One notification, one toast, one row.
  await page.locator('.toast', { hasText: 'Alert firing: e2e users refused (3 alerts)' }).waitFor({ timeout: 20_000 });
  const firing = page.locator('#panel-alerts section.firing');
  const group = firing.locator('tr.group', { hasText: 'e2e users refused' });
  await group.waitFor();
  assert.equal(await group.locator('td.count').textContent(), '3 alerts');
  const members = firing.locator(`tr.member`);
  assert.equal(await members.count(), 3);
  assert.equal(await firing.locator('tr.member:visible').count(), 0);
  await group.locator('button.expand').click();
  assert.equal(await group.locator('button.expand').getAttribute('aria-expanded'), 'true');
  await firing.locator('tr.member:visible').nth(2).waitFor();
  const scopes = (await firing.locator('tr.member:visible td:nth-child(4)').allTextContents()).sort();
  assert.deepEqual(scopes, ['user:dave', 'user:erin', 'user:frank']);
  // Each alert of the group is acknowledged on its own; the group stays open across the reload.
  const erin = firing.locator('tr.member', { hasText: 'user:erin' });
  await erin.locator('input.note').fill('erin only');
  await erin.locator('button', { hasText: 'Acknowledge' }).click();
  await firing.locator('tr.member', { hasText: 'acknowledged by admin: erin only' }).waitFor();
  await firing.locator('tr.group', { hasText: '1 acknowledged' }).waitFor();
  assert.equal(await firing.locator('tr.member:visible').count(), 3);
  assert.equal(await firing.locator('tr.member', { hasText: 'acknowledged by' }).count(), 1);
  // The history shows the round's three alerts as one row too.
  const history = page.locator('#panel-alerts section.card', { has: page.locator('h3', { hasText: 'History' }) });
  await history.locator('tr.group', { hasText: 'e2e users refused' }).waitFor();
  assert.equal(await history.locator('tr.group', { hasText: 'e2e users refused' }).count(), 1);
});

test('an agent\'s command waits for approval, shown live, and runs once approved', async () => {
  await openTab('alerts');
  await page.locator('#panel-alerts section.approvals .empty.ok').waitFor();
  // Alice's agent asks to run a command the policy asks a person about; the answer streams.
  const exec = fetch(`${server.base}/api/v1/exec`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${keys.alice}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ type: 'shell', agent: true, argv: ['printf', 'ran-after-approval'] }),
  }).then((r) => r.text());
  const row = page.locator('#panel-alerts section.approvals tr[data-approval]', { hasText: 'printf ran-after-approval' });
  await row.waitFor({ timeout: 15_000 });
  assert.equal(await row.locator('td').first().textContent(), 'alice');
  await row.locator('input.note').fill('fine');
  await row.locator('button.approve').click();
  const out = await exec;
  assert.match(out, /approval_required/);
  assert.match(out, /ran-after-approval/);
  await page.locator('#panel-alerts section.approvals .empty.ok').waitFor();
});

test('the Analytics tab charts usage by type and user, and offers the report as CSV', async () => {
  await openTab('analytics');
  await page.selectOption('#panel-analytics select[aria-label="range"]', { label: 'last hour' });
  const byType = page.locator('#panel-analytics figure', { hasText: 'By command type' });
  await byType.locator('.legend li', { hasText: 'shell' }).waitFor({ timeout: 15_000 });
  assert.equal(await byType.locator('svg path.line, svg circle.dot').count() >= 1, true);
  await page.locator('#panel-analytics figure', { hasText: 'By user' }).locator('.legend li', { hasText: 'alice' }).waitFor();
  const href = await page.getAttribute('#panel-analytics a[download]', 'href');
  const csv = await page.evaluate(async (url) => {
    const r = await fetch(url);
    return { type: r.headers.get('content-type'), text: await r.text() };
  }, href);
  assert.match(csv.type, /text\/csv/);
  assert.match(csv.text.split('\r\n')[0], /^t_ms,type,user,count/);
  assert.match(csv.text, /alice/);
  // Each detector answers, with findings or "Nothing found".
  await page.locator('#panel-analytics .finding').nth(4).waitFor();
  assert.equal(await page.locator('#panel-analytics .finding .error').count(), 0);
  assert.equal(await page.locator('#panel-analytics .charts .error').count(), 0);
});

test('an override edited in the Users tab applies to the next check', async () => {
  await openTab('users');
  await page.fill('#user-search', 'carol');
  await page.locator('#panel-users tr[data-user="carol"] button').click();
  await page.locator('#panel-users .user-name', { hasText: 'carol' }).waitFor();
  // Two "code" checks a day for carol.
  await page.click('#panel-users button.add-override');
  const last = page.locator('#panel-users .overrides tbody tr').last();
  await last.locator('.ov-type').selectOption('code');
  await last.locator('.ov-kind').selectOption({ label: 'per day' });
  await last.locator('.ov-amount').fill('2');
  await page.click('#panel-users button.save-overrides');
  await page.locator('.toast', { hasText: 'Overrides of carol saved' }).waitFor();
  assert.equal((await check('carol', 'code', 'make')).status, 200);
  assert.equal((await check('carol', 'code', 'make')).status, 200);
  const refused = await check('carol', 'code', 'make');
  assert.equal(refused.status, 429, JSON.stringify(refused.body));
  // The page shows the override as the server now has it.
  const saved = page.locator('#panel-users .overrides tbody tr', { has: page.locator('.ov-type') });
  assert.ok(await saved.count() >= 1);
  assert.equal(await saved.last().locator('.ov-amount').inputValue(), '2');
});

test('a webhook set in the Users tab is stored and shown redacted', async () => {
  await openTab('users');
  await page.fill('#user-search', 'carol');
  await page.locator('#panel-users tr[data-user="carol"] button').click();
  await page.locator('#panel-users .user-name', { hasText: 'carol' }).waitFor();
  const field = page.locator('#panel-users input[aria-label="webhook URL"]');
  await field.fill('https://hooks.example/T0123456789ABCDEFGHIJ');
  // Another admin changes carol meanwhile: the page says so, and does not draw over the edit...
  await server.call('PUT', '/api/admin/users/carol', { tier: 'premium' });
  await page.locator('#panel-users .changed-elsewhere').waitFor();
  assert.equal(await field.inputValue(), 'https://hooks.example/T0123456789ABCDEFGHIJ');
  const tier = page.locator('#panel-users select[aria-label="tier"]');
  assert.equal(await tier.inputValue(), 'default');
  // ... until asked for the latest, which shows her new tier and keeps the URL being typed.
  await page.click('#panel-users .changed-elsewhere button');
  await tier.filter({ has: page.locator('option[value="premium"]:checked') }).waitFor();
  assert.equal(await page.locator('#panel-users .changed-elsewhere').count(), 0);
  assert.equal(await field.inputValue(), 'https://hooks.example/T0123456789ABCDEFGHIJ');
  await server.call('PUT', '/api/admin/users/carol', { tier: 'default' });
  await tier.filter({ has: page.locator('option[value="default"]:checked') }).waitFor();
  await page.click('#panel-users button:has-text("Set webhook")');
  await page.locator('.toast', { hasText: 'Webhook of carol set' }).waitFor();
  await page.locator('#panel-users .webhook-url', { hasText: 'https://hooks.example/***' }).waitFor();
  const stored = (await server.call('GET', '/api/admin/users/carol')).body.user.webhook_url;
  assert.equal(stored, 'https://hooks.example/***');
  assert.ok(!(await page.locator('#panel-users').textContent()).includes('T0123456789ABCDEFGHIJ'));
  // Carol's later warnings go nowhere.
  await server.call('PATCH', '/api/admin/users/carol', { webhook_url: '' });
});

test('a rule edited in the Rules table applies to the next check', async () => {
  // Dave's key rule (one review a day) is used up: his next review is refused...
  assert.equal((await check('dave', 'review', 'make review')).status, 429);
  await openTab('users');
  const row = page.locator('#panel-users tr[data-rule]', { hasText: 'review' }).filter({ hasText: /key \d+/ });
  await row.waitFor();
  const amount = row.locator('input.rule-amount');
  await amount.fill('5');
  // Another admin saves another rule meanwhile: the table says so, and keeps the edit.
  const editing = await row.getAttribute('data-rule');
  const { rules } = (await server.call('GET', '/api/admin/quotas/config')).body;
  const other = rules.find((r) => !r.builtin && String(r.id) !== editing);
  assert.ok(other, JSON.stringify(rules));
  const body = { ...other };
  for (const k of ['id', 'builtin', 'overridden', 'updated_at_ms']) delete body[k];
  assert.equal((await server.call('PUT', `/api/admin/quotas/config/${other.id}`, body)).status, 200);
  await page.locator('#panel-users .rules > .changed-elsewhere').waitFor();
  assert.equal(await amount.inputValue(), '5');
  await row.locator('button.save-rule').click();
  await page.locator('.toast', { hasText: /Rule \d+ saved/ }).waitFor();
  // ... and admitted once the rule allows five. The saved table is the latest again.
  assert.equal((await check('dave', 'review', 'make review')).status, 200);
  await page.locator('#panel-users .rules > .changed-elsewhere').waitFor({ state: 'detached' });
});

test('a live answer overtaken by a later draw neither draws over it nor offers the latest', async () => {
  // The order of two answers decides here, which the tab's own loads leave to the network:
  // so the page's edit guard is driven directly, in the page, through the served module.
  const seen = await page.evaluate(async () => {
    const { EditGuard } = await import('/admin/quotas/js/dom.js');
    const part = document.createElement('div');
    const guard = new EditGuard(part);
    const notices = () => part.querySelectorAll(':scope > .changed-elsewhere').length;
    const typed = () => part.dispatchEvent(new Event('input', { bubbles: true }));
    const shown = {};
    guard.mayDraw(guard.mark(), () => {});
    typed();
    // A live load starts (another admin saved); the admin saves, and their own load draws.
    const live = guard.mark(true);
    const own = guard.mark();
    shown.own = guard.mayDraw(own, () => {});
    // The live answer arrives last: the saved table is the latest, so nothing to offer.
    shown.overtaken = guard.mayDraw(live, () => {});
    shown.noticesAfterOvertaken = notices();
    // Typed again, then a live answer: it gives way to the edit, offering the latest once.
    typed();
    shown.liveOverEdit = guard.mayDraw(guard.mark(true), () => {});
    shown.liveOverEditAgain = guard.mayDraw(guard.mark(true), () => {});
    shown.noticesAfterEdit = notices();
    // A load the admin asks for draws, and so does the next live one.
    shown.asked = guard.mayDraw(guard.mark(), () => {});
    shown.nextLive = guard.mayDraw(guard.mark(true), () => {});
    return shown;
  });
  assert.deepEqual(seen, {
    own: true,
    overtaken: false,
    noticesAfterOvertaken: 0,
    liveOverEdit: false,
    liveOverEditAgain: false,
    noticesAfterEdit: 1,
    asked: true,
    nextLive: true,
  });
});

test("a user's detail shows the load throttle their checks are under", { timeout: 90_000 }, async () => {
  // The server's fake /proc: memory at 92 % (factor 0.3), then back to 40 % for what follows.
  const meminfo = (usedPct) => {
    const totalKb = 8_000_000;
    writeFileSync(join(server.dir, 'proc', 'meminfo.new'),
      `MemTotal: ${totalKb} kB\nMemFree: 1000 kB\nMemAvailable: ${totalKb * (100 - usedPct) / 100} kB\n`);
    renameSync(join(server.dir, 'proc', 'meminfo.new'), join(server.dir, 'proc', 'meminfo'));
  };
  const factor = async () => (await server.call('GET', '/api/admin/health')).body.executor.throttle_factor;
  const until = async (want) => {
    // The smoothed load follows within seconds (docs/monitor.md).
    for (let i = 0; i < 600 && (await factor()) !== want; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(await factor(), want);
  };
  meminfo(92);
  try {
    await until(0.3);
    await openTab('users');
    await page.fill('#user-search', 'bob');
    await page.locator('#panel-users tr[data-user="bob"] button').click();
    await page.locator('#panel-users .user-name', { hasText: 'bob' }).waitFor();
    await page.locator('#panel-users .throttle-note',
      { hasText: /^Throttled: factor 0\.3 \(memory at 9\d %\), each command waits 700 ms$/ }).waitFor();
  } finally {
    meminfo(40);
    await until(1);
  }
});

test('a command type added in the Users tab is checked, offered for overrides and charted', async () => {
  await openTab('users');
  // The pickers hold what the server lists.
  const tiers = await page.locator('#panel-users select[aria-label="new user tier"] option').allTextContents();
  assert.deepEqual(tiers, ['default', 'premium', 'enterprise']);
  await page.fill('#panel-users input[aria-label="new type name"]', 'deploy');
  await page.fill('#panel-users input[aria-label="new type description"]', 'deployments');
  await page.fill('#panel-users input[aria-label="new type daily quota"]', '3');
  // Another admin adds a type and removes it while this one is typed: the form keeps it.
  assert.equal((await server.call('POST', '/api/admin/types', { name: 'scratch', description: 'x' })).status, 201);
  await page.locator('#panel-users .types > .changed-elsewhere').waitFor();
  assert.equal((await server.call('DELETE', '/api/admin/types/scratch')).status, 200);
  assert.equal(await page.inputValue('#panel-users input[aria-label="new type name"]'), 'deploy');
  assert.equal(await page.inputValue('#panel-users input[aria-label="new type daily quota"]'), '3');
  await page.click('#panel-users form.add-type button[type="submit"]');
  await page.locator('.toast', { hasText: 'Type deploy added' }).waitFor();
  await page.locator('#panel-users .types-table tr[data-type="deploy"]', { hasText: 'deployments' }).waitFor();
  assert.equal(await page.locator('#panel-users .types-table tr[data-type="scratch"]').count(), 0);
  await page.locator('#panel-users tr[data-rule]', { hasText: 'tier default' }).filter({ hasText: 'deploy' }).waitFor();
  const admitted = await check('bob', 'deploy', 'make deploy');
  assert.equal(admitted.status, 200, JSON.stringify(admitted.body));
  assert.equal(admitted.headers.get('ratelimit-policy'), '"deploy-day";q=3;w=86400');

  // Overridden for bob through the override rows, whose type picker offers the new type.
  await page.fill('#user-search', 'bob');
  await page.locator('#panel-users tr[data-user="bob"] button').click();
  await page.locator('#panel-users .user-name', { hasText: 'bob' }).waitFor();
  await page.click('#panel-users button.add-override');
  const last = page.locator('#panel-users .overrides tbody tr').last();
  await last.locator('.ov-type').selectOption('deploy');
  await last.locator('.ov-kind').selectOption({ label: 'per day' });
  await last.locator('.ov-amount').fill('1');
  await page.click('#panel-users button.save-overrides');
  await page.locator('.toast', { hasText: 'Overrides of bob saved' }).waitFor();
  const refused = await check('bob', 'deploy', 'make deploy');
  assert.equal(refused.status, 429, JSON.stringify(refused.body));
  await page.locator('#panel-users .quota tr[data-type="deploy"]').first().waitFor();

  // Charted by type with the built-in ones.
  await openTab('analytics');
  const byType = page.locator('#panel-analytics figure', { hasText: 'By command type' });
  // The checks reach the report with the next analytics flush: refresh until they do.
  const deploy = byType.locator('.legend li', { hasText: 'deploy' });
  for (let i = 0; i < 30 && (await deploy.count()) === 0; i++) {
    await page.click('#panel-analytics button:has-text("Refresh")');
    await page.waitForTimeout(1000);
  }
  await deploy.waitFor({ timeout: 1000 });
});

test('text from outside is only text, and no dialog fires', async () => {
  // Carol's key label is the hostile string: the Users tab shows it in her keys.
  await openTab('users');
  await page.fill('#user-search', 'carol');
  await page.locator('#panel-users tr[data-user="carol"] button').click();
  await page.locator('#panel-users .user-detail td', { hasText: HOSTILE }).first().waitFor();
  // A user cannot be named so: the server refuses the name, and the page says which field.
  await page.fill('#panel-users input[aria-label="new user name"]', HOSTILE);
  await page.click('#panel-users form.inline button[type=submit]');
  await page.locator('.toast-error', { hasText: '(name)' }).waitFor();
  assert.equal((await server.call('GET', `/api/admin/users?q=${encodeURIComponent('<img')}`)).body.users.length, 0);
  assert.equal(await page.locator('main img').count(), 0);
  await page.waitForTimeout(500);
  assert.deepEqual(dialogs, []);
  assert.deepEqual(pageErrors, []);
});

test('screenshots of every tab (GAIA_SCREENSHOTS)', { skip: !SHOTS }, async () => {
  // Traffic over a few stats intervals (5 s), so the live chart has points to draw; erin's
  // key allows 4 shell commands a minute, so some are refused.
  await addUser('erin', 'default', 'e2e', [{ type: 'shell', kind: 'rate', window_ms: 60000, amount: 4 }]);
  for (let round = 0; round < 4; round++) {
    for (let i = 0; i < 3 + round * 2; i++) await check('alice', 'shell', 'make');
    for (let i = 0; i < round + 1; i++) await check('bob', 'test', 'ctest -j4');
    for (let i = 0; i < 2; i++) await check('erin', 'shell', `./deploy.sh --stage ${round}`);
    await page.waitForTimeout(5200);
  }
  for (const name of TABS) {
    await openTab(name);
    if (name === 'users') {
      await page.fill('#user-search', 'alice');
      await page.locator('#panel-users tr[data-user="alice"] button').click();
      await page.locator('#panel-users .user-name', { hasText: 'alice' }).waitFor();
    }
    await page.waitForTimeout(name === 'analytics' || name === 'users' ? 1500 : 600);
    await screenshot(name);
  }
});

test('after signing out the page shows no data and the session is gone', async () => {
  await page.click('#sign-out');
  await page.locator('#sign-in').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#app').isVisible(), false);
  const text = await page.locator('main').innerText();
  assert.ok(!text.includes('carol'), 'data still shown after sign-out');
  const status = await page.evaluate(async () => (await fetch('/api/ws/health')).status);
  assert.equal(status, 401);
  const users = await page.evaluate(async () => (await fetch('/api/admin/users')).status);
  assert.ok(users === 401 || users === 404 || users === 405, `GET /api/admin/users answered ${users}`);
  assert.equal(await page.locator('#conn').textContent(), 'offline');
});
