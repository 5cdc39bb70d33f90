// A Team Manager keeps the dashboard and the tray open; the auditor completes an audit in
// another browser; the manager's tray count, tray and dashboard change within 2 seconds,
// with no reload.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { BASE, TABLET, launch, hydrated, signIn, session, call, discussionHeld } = require('./helpers');

let browser;
before(async () => { browser = await launch(); });
after(async () => { if (browser) await browser.close(); });

const slug = (name) => name.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w && w !== 'and').join('-');
const DOMAINS = ['voice', 'assessment', 'planning', 'oversight', 'multi_agency', 'recording', 'impact'];

/** An audit whose findings the key worker has confirmed, ready for the auditor to complete. */
async function auditReadyToComplete() {
  const qa = await session('qa.manager@anytown.example');
  const round = (await call(qa, 'create_round', { month: '2027-01' })).json;
  await call(qa, 'draw_round', { round_id: round, quota_7: '1' });
  await call(qa, 'confirm_round', { round_id: round });
  const row = (await call(qa, 'round_detail', { round_id: round })).json.assignments.rows[0];
  const auditor = await session('auditor.1@anytown.example');
  const me = (await call(auditor, 'current_user')).json;
  await call(qa, 'assign_auditors', { round_id: round, [`auditor[${row.round_case_id}]`]: String(me.person_id) });
  const audit = (await call(auditor, 'my_audits')).json.audits[0];
  await call(auditor, 'propose_times', { audit_id: audit.id, time_1: '2030-01-08T10:00' });
  let kw;
  for (let n = 1; n <= 6 && !kw; n += 1) {
    const cookie = await session(`kw.${slug(row.team)}.${n}@anytown.example`).catch(() => null);
    if (cookie && (await call(cookie, 'audit_detail', { audit_id: audit.id })).status === 200) kw = cookie;
  }
  const time = (await call(kw, 'audit_detail', { audit_id: audit.id })).json.times[0];
  assert.equal((await call(kw, 'accept_time', { audit_id: audit.id, time_id: time.id })).status, 200);
  const form = { audit_id: audit.id, version: '1', 'f[overall]': 'good' };
  for (const d of DOMAINS) { form[`f[grade-${d}]`] = 'good'; form[`f[narrative-${d}]`] = `Evidence for ${d}.`; }
  assert.equal((await call(auditor, 'save_draft', form)).status, 200);
  await discussionHeld(auditor, audit.id);
  assert.equal((await call(kw, 'confirm_findings', { audit_id: audit.id })).status, 200);
  return { audit, team: row.team };
}

test('the Team Manager sees the completion live on the dashboard and in the tray', async () => {
  const { audit, team } = await auditReadyToComplete();

  const manager = await browser.newContext({ viewport: TABLET, hasTouch: true });
  const dashboard = await manager.newPage();
  await signIn(dashboard, `tm.${slug(team)}@anytown.example`);
  await dashboard.waitForURL(`${BASE}/`);
  await dashboard.goto(`${BASE}/dashboard`);
  await hydrated(dashboard);
  await dashboard.getByTestId('live-state').getByText('Live').waitFor({ timeout: 5000 });
  const completed = dashboard.locator('td[data-figure="All:Completed"]').first();
  assert.equal(await completed.innerText(), '0');
  assert.match(await dashboard.locator('td[data-figure="All:Findings discussed"]').first().innerText(), /^1$/);
  const tray = await manager.newPage();
  await tray.goto(`${BASE}/tray`);
  await hydrated(tray);
  await tray.getByTestId('live-state').getByText('Live').waitFor({ timeout: 5000 });
  const unreadBefore = await tray.getByTestId('unread-count').count() ? Number(await tray.getByTestId('unread-count').innerText()) : 0;

  // The auditor completes the audit in their own browser.
  const auditorContext = await browser.newContext({ viewport: TABLET, hasTouch: true });
  const auditorPage = await auditorContext.newPage();
  await signIn(auditorPage, 'auditor.1@anytown.example');
  await auditorPage.waitForURL(`${BASE}/`);
  await auditorPage.goto(`${BASE}/audits/${audit.id}`);
  await auditorPage.getByTestId('complete-form').waitFor();
  await hydrated(auditorPage);
  await auditorPage.locator('#complete').tap();
  await auditorPage.getByTestId('case-note').waitFor();

  // Within 2 seconds, without reloading.
  await dashboard.locator('td[data-figure="All:Completed"]').getByText('1', { exact: true }).first().waitFor({ timeout: 2000 });
  await tray.getByText(`Audit recommendations to complete: case ${audit.child_unique_id}`).waitFor({ timeout: 2000 });
  await tray.getByTestId('unread-count').getByText(String(unreadBefore + 1), { exact: true }).waitFor({ timeout: 2000 });
  await manager.close();
  await auditorContext.close();
});
