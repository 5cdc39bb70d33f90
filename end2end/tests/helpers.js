// Shared set-up for the end-to-end tests: Debian's Chromium through playwright-core.
const assert = require('node:assert/strict');
const { chromium } = require('playwright-core');

const BASE = process.env.BASE_URL || 'http://127.0.0.1:3100';
const PASSWORD = 'demo-audit-2026';
const TABLET = { width: 768, height: 1024 };

async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

/** Waits until the WebAssembly has hydrated the page, so clicks go through Leptos. */
async function hydrated(page) {
  await page.waitForFunction(() => window.__practiceAuditHydrated === true, null, { timeout: 15000 });
}

async function signIn(page, email, password = PASSWORD) {
  await page.goto(`${BASE}/sign-in`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await page.click('button[type=submit]');
}

module.exports = { BASE, PASSWORD, TABLET, launch, hydrated, signIn };

/** Server functions over HTTP, for setting up a journey quickly (as the app's own client does). */
async function session(email, password = PASSWORD) {
  const reply = await fetch(`${BASE}/api/sign_in`, {
    method: 'POST',
    // The app refuses state-changing requests from any origin but its own.
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', origin: BASE },
    body: new URLSearchParams({ email, password }),
  });
  if (!reply.ok) throw new Error(`sign in as ${email}: ${reply.status}`);
  return reply.headers.get('set-cookie').split(';')[0];
}

async function call(cookie, name, params = {}) {
  const reply = await fetch(`${BASE}/api/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', origin: BASE, cookie },
    body: new URLSearchParams(params),
  });
  const text = await reply.text();
  return { status: reply.status, json: text ? JSON.parse(text) : null };
}

module.exports.session = session;
module.exports.call = call;

// ---- for journeys set up through the server functions, then driven on a tablet ----

const DOMAINS = ['voice', 'assessment', 'planning', 'oversight', 'multi_agency', 'recording', 'impact'];
const slug = (name) => name.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w && w !== 'and').join('-');
const tracked = new WeakMap();

function ok(reply, what) {
  assert.equal(reply.status, 200, `${what}: ${JSON.stringify(reply.json)}`);
  return reply.json;
}

/** A tablet-sized, touch browser context whose server function calls are counted. */
async function tablet(browser) {
  const context = await browser.newContext({ viewport: TABLET, hasTouch: true });
  // Every page records what its content security policy refused (see `cspViolations`).
  await context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  const page = await context.newPage();
  // Any page that breaks its content security policy fails the whole run.
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) {
      console.error(`content security policy violated on ${page.url()}: ${message.text()}`);
      process.exitCode = 1;
    }
  });
  // Server function calls in flight, and when the last one began or ended (see `quiet`).
  const calls = { inflight: 0, last: Date.now() };
  const isCall = (r) => new URL(r.url()).pathname.startsWith('/api/');
  page.on('request', (r) => { if (isCall(r)) { calls.inflight += 1; calls.last = Date.now(); } });
  const ended = (r) => { if (isCall(r)) { calls.inflight -= 1; calls.last = Date.now(); } };
  page.on('requestfinished', ended);
  page.on('requestfailed', ended);
  tracked.set(page, calls);
  return { context, page };
}

/**
 * Waits until the page has made no server function call for 700 ms. After a form is
 * answered (refused or not), and after each live event, the page reads its data again and
 * its <Suspense> puts "Loading…" in place of the content meanwhile: counting rows, or
 * tapping and typing, in that moment would miss (or lose focus from) what is on the page.
 */
async function quiet(page) {
  const calls = tracked.get(page);
  const until = Date.now() + 10000;
  while ((calls.inflight > 0 || Date.now() - calls.last < 700) && Date.now() < until) {
    await page.waitForTimeout(100);
  }
}

/** The key worker of an audit's case: the one of the team's workers who may open it. */
async function keyWorkerOf(team, auditId) {
  for (let n = 1; n <= 6; n += 1) {
    const email = `kw.${slug(team)}.${n}@anytown.example`;
    const cookie = await session(email).catch(() => null);
    if (cookie && (await call(cookie, 'audit_detail', { audit_id: auditId })).status === 200) return { email, cookie };
  }
  throw new Error(`no key worker found for audit ${auditId}`);
}

/**
 * A confirmed round of `month` drawn with `quotas` (e.g. { quota_7: '2' }), every case
 * assigned to `auditorEmail`: { round, rows } (rows as `round_detail` lists them, with their audits).
 */
async function assignedRound(month, quotas, auditorEmail = 'auditor.1@anytown.example') {
  const qa = await session('qa.manager@anytown.example');
  const round = ok(await call(qa, 'create_round', { month }), 'create_round');
  ok(await call(qa, 'draw_round', { round_id: round, ...quotas }), 'draw_round');
  ok(await call(qa, 'confirm_round', { round_id: round }), 'confirm_round');
  const me = ok(await call(await session(auditorEmail), 'current_user'), 'current_user');
  const drawn = ok(await call(qa, 'round_detail', { round_id: round }), 'round_detail').assignments.rows;
  const form = { round_id: round };
  for (const r of drawn) form[`auditor[${r.round_case_id}]`] = String(me.person_id);
  ok(await call(qa, 'assign_auditors', form), 'assign_auditors');
  return { round, rows: ok(await call(qa, 'round_detail', { round_id: round }), 'round_detail').assignments.rows };
}

module.exports.keyWorkerOf = keyWorkerOf;
module.exports.assignedRound = assignedRound;
module.exports.DOMAINS = DOMAINS;
module.exports.slug = slug;
module.exports.ok = ok;
module.exports.tablet = tablet;
module.exports.quiet = quiet;

/** What the page's content security policy has refused so far (none, for a sound page). */
async function cspViolations(page) {
  return page.evaluate(() => window.__cspViolations || []);
}

module.exports.cspViolations = cspViolations;

// ---- accessibility: axe-core, WCAG 2.2 A and AA ----

const AXE_SOURCE = require('node:fs').readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];

/** axe-core's WCAG 2.2 A/AA violations on the page as it is now, one line per fault. */
async function axeViolations(page) {
  // Leptos's meta context puts the title back as a page hydrates: look at the settled page.
  // A page with no title still fails, after the wait.
  await page.waitForFunction(() => document.title !== '', null, { timeout: 3000 }).catch(() => {});
  // Evaluated through the DevTools protocol, which the page's script policy does not govern.
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async (tags) => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')} (${n.failureSummary.replace(/\s+/g, ' ').slice(0, 200)})`),
    }));
  }, WCAG_TAGS);
  return violations.map((v) => `${v.id} [${v.impact}] ${v.help}: ${v.nodes.join('; ')}`);
}

/** Fails with every WCAG 2.2 A/AA fault axe-core finds on the page. */
async function assertAccessible(page, what) {
  const faults = await axeViolations(page);
  assert.equal(faults.length, 0, `${what} (${page.url()}) has accessibility faults:\n  ${faults.join('\n  ')}`);
}

module.exports.axeViolations = axeViolations;
module.exports.assertAccessible = assertAccessible;

// ---- the discussion: the proposed times are years ahead, so the auditor records it ----

/** This minute on a London clock, as a date-and-time field sends it ("2026-12-06T12:34"). */
function londonMinute(at = new Date()) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(at).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

/** The auditor records that the discussion took place this minute. */
async function discussionHeld(auditorCookie, auditId) {
  return ok(await call(auditorCookie, 'record_discussion_held', { audit_id: auditId, held_at: londonMinute() }), 'record_discussion_held');
}

module.exports.londonMinute = londonMinute;
module.exports.discussionHeld = discussionHeld;
