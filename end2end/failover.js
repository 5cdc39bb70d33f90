// An instance dies under an open tray. A key worker's, or here an auditor's, tablet holds
// its live tray on instance B behind nginx; B is killed with SIGKILL (no goodbye, sockets
// reset); meanwhile alerts are raised through instance A. Twice:
//   1. nginx with A as B's backup: the tab's next stream goes to A;
//   2. nginx with B alone: nginx answers 502 until B is started again (2 s later).
// Each time the tab must say *Live* again within 10 s of the kill, with every alert raised
// meanwhile in its tray. Prints how long each took.
//
//   A_URL=http://127.0.0.1:3101 PAIR_URL=http://127.0.0.1:3103 ONLY_B_URL=http://127.0.0.1:3104 \
//   B_URL=http://127.0.0.1:3102 B_PID=<pid of B's server> B_START='<shell command that execs B>' \
//   node end2end/failover.js
//
// (scripts/test runs it last, against the two instances and the nginx it starts.)
const assert = require('node:assert/strict');
const { PASSWORD, signIn, call } = require('./instance_api');
const { spawn } = require('node:child_process');
const { chromium } = require('playwright-core');

const A = process.env.A_URL || 'http://127.0.0.1:3101';
const B = process.env.B_URL || 'http://127.0.0.1:3102';
const PAIR = process.env.PAIR_URL || 'http://127.0.0.1:3103';
const ONLY_B = process.env.ONLY_B_URL || 'http://127.0.0.1:3104';
const AUDITOR = 'auditor.2@anytown.example';
const WITHIN_MS = 10000;


/** Through A: a round for `month` with one case, confirmed and assigned to the auditor.
 *  Its alert to the auditor: "You are asked to audit case <id> …". */
async function assignOne(qa, auditorId, month) {
  const round = await call(A, qa, 'create_round', { month });
  await call(A, qa, 'draw_round', { round_id: round, quota_7: '1' });
  await call(A, qa, 'confirm_round', { round_id: round });
  const rows = (await call(A, qa, 'round_detail', { round_id: round })).assignments.rows;
  const form = { round_id: round };
  for (const r of rows) form[`auditor[${r.round_case_id}]`] = String(auditorId);
  await call(A, qa, 'assign_auditors', form);
  return rows.map((r) => `You are asked to audit case ${r.child_unique_id}`);
}

async function up(base) {
  for (let i = 0; i < 150; i += 1) {
    try { if ((await fetch(`${base}/healthz`)).ok) return; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${base} did not come up`);
}

/** Starts B again as scripts/test does; the new process's PID. */
function startB() {
  const child = spawn('bash', ['-c', process.env.B_START], { stdio: 'inherit' });
  restarted.push(child);
  return child.pid;
}
const restarted = [];

/** The header's count of unread alerts (shown only when there are some). */
async function unreadOf(page) {
  const count = page.getByTestId('unread-count');
  return (await count.count()) ? Number(await count.innerText()) : 0;
}

/** A tablet signed in through `base` with the tray open and live. */
async function trayOn(browser, base) {
  const context = await browser.newContext({ viewport: { width: 768, height: 1024 }, hasTouch: true });
  const page = await context.newPage();
  await page.goto(`${base}/sign-in`);
  await page.fill('#email', AUDITOR);
  await page.fill('#password', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForURL(`${base}/`);
  await page.goto(`${base}/tray`);
  await page.waitForFunction(() => window.__practiceAuditHydrated === true, null, { timeout: 15000 });
  await page.getByTestId('live-state').getByText('Live').waitFor({ timeout: 5000 });
  return { context, page };
}

/**
 * Kills B, raises alerts through A, optionally starts B again after `restartAfterMs`, and
 * waits for the tab to be live again with every alert shown. Returns the milliseconds
 * from the kill until then, and the states the header showed on the way.
 */
async function outage(page, qa, auditorId, months, bPid, restartAfterMs) {
  const shown = [];
  const watch = setInterval(async () => {
    const state = await page.getByTestId('live-state').innerText().catch(() => '');
    if (state && shown[shown.length - 1] !== state) shown.push(state);
  }, 50);
  const killedAt = performance.now();
  process.kill(bPid, 'SIGKILL');
  let newPid = null;
  const restart = restartAfterMs == null ? null : new Promise((resolve) => setTimeout(() => {
    newPid = startB();
    resolve();
  }, restartAfterMs));
  // What happens meanwhile, through A.
  const expected = [];
  for (const month of months) expected.push(...(await assignOne(qa, auditorId, month)));
  // Live again, and every alert raised meanwhile in the tray.
  for (;;) {
    const live = (await page.getByTestId('live-state').innerText().catch(() => '')) === 'Live';
    const body = await page.locator('main').innerText().catch(() => '');
    if (live && expected.every((text) => body.includes(text))) break;
    assert.ok(performance.now() - killedAt < WITHIN_MS,
      `not live with every alert within ${WITHIN_MS / 1000} s of the kill (header went ${shown.join(' → ')})`);
    await page.waitForTimeout(100);
  }
  const took = performance.now() - killedAt;
  clearInterval(watch);
  if (restart) await restart;
  return { took, shown, expected, newPid };
}

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const qa = await signIn(A, 'qa.manager@anytown.example');
    const auditorId = (await call(A, await signIn(A, AUDITOR), 'current_user')).person_id;
    let bPid = Number(process.env.B_PID);
    assert.ok(bPid > 0, 'B_PID names B\'s server process');

    // 1. nginx with A as B's backup.
    {
      const { context, page } = await trayOn(browser, PAIR);
      const before = await unreadOf(page);
      // The tray's stream is on B, and B hears of A's changes.
      const first = await assignOne(qa, auditorId, '2040-01');
      await page.getByText(first[0]).waitFor({ timeout: 5000 });
      const { took, shown, expected } = await outage(page, qa, auditorId, ['2040-02', '2040-03'], bPid, null);
      assert.ok(shown.includes('Reconnecting…'), `the tab noticed the kill (header went ${shown.join(' → ')})`);
      const unread = await unreadOf(page);
      assert.equal(unread, before + first.length + expected.length, 'every alert once in the count');
      console.log(`B killed under a tray, A as its backup: live again with the ${expected.length} alerts raised meanwhile in ${(took / 1000).toFixed(2)} s (header: ${shown.join(' → ')})`);
      await context.close();
    }

    // 2. nginx with B alone: 502 until B is back.
    bPid = startB();
    await up(B);
    {
      const { context, page } = await trayOn(browser, ONLY_B);
      let badGateways = 0;
      page.on('response', (r) => { if (r.url().includes('/events') && r.status() === 502) badGateways += 1; });
      const before = await unreadOf(page);
      const restartAfter = 2000;
      const run = outage(page, qa, auditorId, ['2040-04', '2040-05'], bPid, restartAfter);
      // While B is away nginx answers 502.
      await new Promise((r) => setTimeout(r, 500));
      assert.equal((await fetch(`${ONLY_B}/healthz`)).status, 502, 'nginx answered 502 while B was away');
      const { took, shown, expected } = await run;
      assert.ok(shown.includes('Reconnecting…'), `the tab noticed the kill (header went ${shown.join(' → ')})`);
      const unread = await unreadOf(page);
      assert.equal(unread, before + expected.length, 'every alert once in the count');
      console.log(`B killed under a tray, nginx answering 502 until B started again ${restartAfter / 1000} s later: ` +
        `live again with the ${expected.length} alerts raised meanwhile in ${(took / 1000).toFixed(2)} s ` +
        `(${badGateways} streams answered 502; header: ${shown.join(' → ')})`);
      await context.close();
    }
  } finally {
    await browser.close();
    for (const child of restarted) child.kill('SIGTERM');
  }
})().catch((e) => { console.error(e); process.exit(1); });
