// The audit action review on a tablet: an audit is filed with a required action (set up
// through the server functions); the QA Manager assigns its review; the Team Manager opens
// it from their tray, is refused bad input field by field, records progress, marks the
// action done and finalises; the QA Manager's open tray shows the "finalised" alert within
// a few seconds, with no reload.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const {
  BASE, launch, hydrated, signIn, session, call, DOMAINS, slug, ok, tablet, quiet,
  keyWorkerOf,
  discussionHeld,
} = require('./helpers');

let browser;
before(async () => { browser = await launch(); });
after(async () => { if (browser) await browser.close(); });


/** A completed audit, by auditor.1, with one required action. */
async function filedAudit() {
  const qa = await session('qa.manager@anytown.example');
  const round = ok(await call(qa, 'create_round', { month: '2027-01' }), 'create_round');
  ok(await call(qa, 'draw_round', { round_id: round, quota_7: '1' }), 'draw_round');
  ok(await call(qa, 'confirm_round', { round_id: round }), 'confirm_round');
  const auditor = await session('auditor.1@anytown.example');
  const me = ok(await call(auditor, 'current_user'), 'current_user');
  const row = ok(await call(qa, 'round_detail', { round_id: round }), 'round_detail').assignments.rows[0];
  ok(await call(qa, 'assign_auditors', { round_id: round, [`auditor[${row.round_case_id}]`]: String(me.person_id) }), 'assign_auditors');
  const id = ok(await call(qa, 'round_detail', { round_id: round }), 'round_detail').assignments.rows[0].audit[0];
  const { cookie: kw } = await keyWorkerOf(row.team, id);
  ok(await call(auditor, 'propose_times', { audit_id: id, time_1: '2030-01-08T10:00' }), 'propose_times');
  const time = ok(await call(kw, 'audit_detail', { audit_id: id }), 'audit_detail').times[0];
  ok(await call(kw, 'accept_time', { audit_id: id, time_id: time.id }), 'accept_time');
  const form = (version) => {
    const f = {
      audit_id: id, version: String(version), 'f[overall]': 'good',
      'f[strengths]': 'Warm relationship with the child.',
      'f[action-0]': 'Update the child protection plan with the family',
      'f[owner-0]': 'Key worker', 'f[due-0]': '2027-02-15',
    };
    for (const d of DOMAINS) { f[`f[grade-${d}]`] = 'good'; f[`f[narrative-${d}]`] = `Findings on ${d}.`; }
    return f;
  };
  let version = ok(await call(auditor, 'audit_detail', { audit_id: id }), 'audit_detail').version;
  ok(await call(auditor, 'save_draft', form(version)), 'save_draft');
  await discussionHeld(auditor, id);
  ok(await call(kw, 'confirm_findings', { audit_id: id, reflection: 'Fair.' }), 'confirm_findings');
  version = ok(await call(auditor, 'audit_detail', { audit_id: id }), 'audit_detail').version;
  ok(await call(auditor, 'complete_audit', form(version)), 'complete_audit');
  return { id, child: row.child_unique_id, team: row.team };
}

test('the Team Manager reviews the actions and the QA Manager sees it finalised live', async () => {
  const audit = await filedAudit();
  const reviewUrl = `${BASE}/audits/${audit.id}/actions`;

  // The QA Manager assigns the review from the list.
  const qa = await tablet(browser);
  await signIn(qa.page, 'qa.manager@anytown.example');
  await qa.page.waitForURL(`${BASE}/`);
  await qa.page.goto(`${BASE}/action-reviews`);
  await hydrated(qa.page);
  const row = qa.page.getByTestId(`review-${audit.id}`);
  assert.match(await row.innerText(), /Not assigned/);
  assert.match(await row.innerText(), /1 of 1 open/);
  await row.getByRole('button', { name: 'Assign' }).tap();
  await qa.page.getByTestId('assigned').getByText('1 action review assigned').waitFor();
  await row.getByText('With the Team Manager').waitFor();
  await quiet(qa.page);
  await row.getByText('With the Team Manager').waitFor();
  assert.equal(await row.getByRole('button', { name: 'Assign' }).count(), 0);

  // The QA Manager keeps the tray open; the live connection is up.
  await qa.page.goto(`${BASE}/tray`);
  await hydrated(qa.page);
  await qa.page.getByTestId('live-state').getByText('Live').waitFor({ timeout: 5000 });
  const finalisedAlert = qa.page.locator('[data-kind="action_review_finalised"]');
  assert.equal(await finalisedAlert.count(), 0);
  await qa.page.evaluate(() => { window.__stillThisPage = true; });

  // The Team Manager finds the alert and opens the review.
  const tm = await tablet(browser);
  await signIn(tm.page, `tm.${slug(audit.team)}@anytown.example`);
  await tm.page.waitForURL(`${BASE}/`);
  await tm.page.goto(`${BASE}/tray`);
  const assignedAlert = tm.page.locator('[data-kind="action_review_assigned"]');
  assert.match(await assignedAlert.innerText(), new RegExp(`Review the required actions of the audit of case ${audit.child}`));
  await hydrated(tm.page);
  await assignedAlert.getByRole('link', { name: 'Open' }).tap();
  await tm.page.waitForURL(reviewUrl);
  await tm.page.getByTestId('review-heading').getByText(audit.child).waitFor();
  await hydrated(tm.page);
  const action = tm.page.getByTestId('action-1');
  assert.match(await action.innerText(), /Update the child protection plan with the family/);
  assert.match(await action.getByTestId('action-status').innerText(), /Not done yet/);
  const aid = await action.locator('input[name=action_id]').inputValue();
  const today = await action.locator(`#on-${aid}`).inputValue(); // the form starts at today
  assert.match(today, /^\d{4}-\d{2}-\d{2}$/);

  // Finalising before any progress is recorded is refused.
  await tm.page.getByRole('button', { name: 'Finalise the action review' }).tap();
  await tm.page.getByTestId('error-summary').waitFor();
  assert.match(await tm.page.getByTestId('error-summary').innerText(), /Record progress on every action before finalising: action 1 has none yet/);
  assert.match(await tm.page.locator('#finalise-error').innerText(), /action 1 has none yet/);
  await quiet(tm.page);

  // Bad input: no progress, a link that is not a web address, a date in the future.
  await action.locator(`#link-${aid}`).fill('javascript:alert(1)');
  await action.locator('input[name=status][value=done]').tap();
  await action.locator(`#on-${aid}`).fill('2099-01-01');
  await action.getByRole('button', { name: 'Save progress' }).tap();
  const summary = tm.page.getByTestId('error-summary');
  await summary.getByText('Enter the progress made on this action').waitFor();
  const problems = await summary.innerText();
  assert.match(problems, /There is a problem/);
  assert.match(problems, /Enter a link starting with https:\/\//);
  assert.match(problems, /The date must be today or in the past/);
  assert.match(await tm.page.locator(`#progress-${aid}-error`).innerText(), /Enter the progress made on this action/);
  assert.match(await tm.page.locator(`#link-${aid}-error`).innerText(), /Enter a link starting with https:\/\//);
  assert.match(await tm.page.locator(`#on-${aid}-error`).innerText(), /The date must be today or in the past/);
  await quiet(tm.page);
  await action.locator(`#progress-${aid}`).waitFor();
  assert.equal(await action.getByTestId('action-updates').count(), 0, 'nothing is recorded');

  // Progress, not done yet.
  await action.locator(`#progress-${aid}`).fill('Plan discussed with the family on a home visit; the school is to be added.');
  await action.locator(`#link-${aid}`).fill('');
  await action.locator('input[name=status][value=open]').tap();
  await action.locator(`#on-${aid}`).fill(today);
  await action.getByRole('button', { name: 'Save progress' }).tap();
  await action.getByTestId('action-updates').waitFor();
  await summary.getByText('Enter the progress made on this action').waitFor({ state: 'detached' });
  assert.match(await action.getByTestId('action-updates').innerText(), /not done as of/);
  await quiet(tm.page);

  // Then done, with the evidence.
  // The refreshed review folds the form away once an action has an update; open it after.
  await action.locator('details:not([open])', { hasText: 'Record progress' }).waitFor();
  await action.locator('summary', { hasText: 'Record progress' }).tap();
  await action.locator('details[open]', { hasText: 'Record progress' }).waitFor();
  await action.locator(`#progress-${aid}`).fill('Plan updated with the family and shared with the school.');
  await action.locator(`#evidence-${aid}`).fill('Child protection plan, version 3');
  await action.locator(`#link-${aid}`).fill('https://records.example/plan/3');
  await action.locator('input[name=status][value=done]').tap();
  await action.locator(`#on-${aid}`).fill(today);
  await action.getByRole('button', { name: 'Save progress' }).tap();
  await action.getByTestId('action-status').getByText(/^Done /).waitFor();
  await quiet(tm.page);
  const updates = action.getByTestId('action-updates').locator(':scope > li');
  assert.equal(await updates.count(), 2);
  assert.match(await action.getByTestId('action-updates').innerText(), /Evidence: Child protection plan, version 3/);
  assert.equal(await action.getByRole('link', { name: 'Open the evidence' }).getAttribute('href'), 'https://records.example/plan/3');

  // Finalise, with the case-management reference.
  await tm.page.fill('#reference', 'CMS-4471');
  const finalisedAt = Date.now();
  await tm.page.getByRole('button', { name: 'Finalise the action review' }).tap();

  // The QA Manager's tray shows the alert within a few seconds, without reloading.
  await finalisedAlert.waitFor({ timeout: 5000 });
  assert.ok(Date.now() - finalisedAt < 5000, `the alert took ${Date.now() - finalisedAt} ms`);
  assert.match(await finalisedAlert.innerText(), new RegExp(`The action review of the audit of case ${audit.child} is finalised: 1 of 1 actions done`));
  assert.equal(await qa.page.evaluate(() => window.__stillThisPage), true, 'the tray was not reloaded');

  // The Team Manager's review is locked.
  await tm.page.getByTestId('finalised').waitFor();
  await quiet(tm.page);
  await tm.page.getByTestId('finalised').waitFor();
  assert.match(await tm.page.getByTestId('review-state').innerText(), /Finalised/);
  assert.equal(await tm.page.getByRole('button', { name: 'Finalise the action review' }).count(), 0, 'locked once finalised');
  assert.equal(await tm.page.getByTestId('update-form').count(), 0);

  // The QA Manager opens the finalised review from the alert.
  await finalisedAlert.getByRole('link', { name: 'Open' }).tap();
  await qa.page.waitForURL(reviewUrl);
  await qa.page.getByTestId('finalised').waitFor();
  assert.match(await qa.page.locator('dl.summary-list').innerText(), /CMS-4471/);
  assert.equal(await qa.page.getByTestId('update-form').count(), 0, 'the QA Manager reads, but does not edit');

  for (const c of [qa, tm]) await c.context.close();
});
