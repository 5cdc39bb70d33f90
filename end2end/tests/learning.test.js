// Learning from audits, on a tablet. A round's audits are completed through the server
// functions. The QA Manager tags a finding with a theme, starts the round's summary report,
// sees it pre-filled, types a Child Unique ID and is held by the disclosure check, edits it
// out; a Practice Improvement Team member comments (and cannot open an audit); the QA
// Manager finalises and downloads the Word document. The print page renders to an A4 PDF
// with no table cut. Then a feedback session: refused with bad input, arranged, accepted by
// a key worker from the tray, attendance recorded, feedback given, results shown.
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

/** A round for `month` with `n` audits completed by auditor.1: [{ auditId, team, kw }]. */
async function completedRound(month, n) {
  const qa = await session('qa.manager@anytown.example');
  const round = ok(await call(qa, 'create_round', { month }), 'create_round');
  ok(await call(qa, 'draw_round', { round_id: round, quota_7: String(n) }), 'draw_round');
  ok(await call(qa, 'confirm_round', { round_id: round }), 'confirm_round');
  const auditor = await session('auditor.1@anytown.example');
  const me = ok(await call(auditor, 'current_user'), 'current_user');
  const rows = ok(await call(qa, 'round_detail', { round_id: round }), 'round_detail').assignments.rows;
  const assign = { round_id: round };
  for (const row of rows) assign[`auditor[${row.round_case_id}]`] = String(me.person_id);
  ok(await call(qa, 'assign_auditors', assign), 'assign_auditors');
  const audits = [];
  for (const assigned of ok(await call(qa, 'round_detail', { round_id: round }), 'round_detail').assignments.rows) {
    const auditId = assigned.audit[0];
    const kw = await keyWorkerOf(assigned.team, auditId);
    ok(await call(auditor, 'propose_times', { audit_id: auditId, time_1: '2030-01-08T10:00' }), 'propose_times');
    const time = ok(await call(kw.cookie, 'audit_detail', { audit_id: auditId }), 'audit_detail').times[0];
    ok(await call(kw.cookie, 'accept_time', { audit_id: auditId, time_id: time.id }), 'accept_time');
    const form = (version) => {
      const f = {
        audit_id: auditId, version: String(version), 'f[overall]': 'good',
        'f[strengths]': 'Warm relationship with the child.',
        'f[development]': 'The chronology is out of date.',
        'f[action-0]': 'Update the chronology', 'f[owner-0]': 'Key worker', 'f[due-0]': '2027-02-15',
      };
      for (const d of DOMAINS) { f[`f[grade-${d}]`] = 'good'; f[`f[narrative-${d}]`] = `Findings on ${d}.`; }
      return f;
    };
    let version = ok(await call(auditor, 'audit_detail', { audit_id: auditId }), 'audit_detail').version;
    ok(await call(auditor, 'save_draft', form(version)), 'save_draft');
    await discussionHeld(auditor, auditId);
    ok(await call(kw.cookie, 'confirm_findings', { audit_id: auditId, reflection: 'Fair.' }), 'confirm_findings');
    version = ok(await call(auditor, 'audit_detail', { audit_id: auditId }), 'audit_detail').version;
    ok(await call(auditor, 'complete_audit', form(version)), 'complete_audit');
    audits.push({ auditId, team: assigned.team, kw, round });
  }
  return audits;
}

async function signedIn(email, viewport) {
  const t = await tablet(browser);
  if (viewport) await t.page.setViewportSize(viewport);
  await signIn(t.page, email);
  await t.page.waitForURL(`${BASE}/`);
  return t;
}

test('themes tagged, the report pre-filled, checked, commented on, finalised and downloaded', async () => {
  const [first, second] = await completedRound('2027-01', 2);
  const qaCookie = await session('qa.manager@anytown.example');
  ok(await call(qaCookie, 'add_theme', { name: 'Voice of the child', domain: 'voice' }), 'add_theme');
  const child = ok(await call(first.kw.cookie, 'audit_detail', { audit_id: first.auditId }), 'audit_detail').summary.child_unique_id;

  // The QA Manager tags the first audit's strengths from its record.
  const qa = await signedIn('qa.manager@anytown.example');
  await qa.page.goto(`${BASE}/audits/${first.auditId}/record`);
  await hydrated(qa.page);
  await qa.page.getByTestId('audit-themes').tap();
  await qa.page.waitForURL(`${BASE}/audits/${first.auditId}/themes`);
  await hydrated(qa.page);
  const strengths = qa.page.getByTestId(`finding-strengths-${first.auditId}`);
  await strengths.getByText('Warm relationship with the child.').waitFor();
  await strengths.getByLabel('Voice of the child').check();
  await qa.page.locator('#save-tags').tap();
  await qa.page.getByTestId('tags-saved').waitFor();
  await quiet(qa.page);
  assert.equal(await strengths.getByLabel('Voice of the child').isChecked(), true, 'kept after saving');

  // It starts the round's report from the Learning pages.
  await qa.page.getByRole('link', { name: 'Learning' }).tap();
  await qa.page.waitForURL(`${BASE}/reports`);
  await hydrated(qa.page);
  await qa.page.selectOption('#first', '2027-01');
  await qa.page.getByRole('button', { name: 'Start the report' }).tap();
  await qa.page.waitForURL(/\/reports\/\d+$/);
  const reportUrl = qa.page.url();
  const reportId = reportUrl.split('/').pop();
  await qa.page.getByTestId('report-title').getByText('January 2027').waitFor();
  await hydrated(qa.page);
  const strengthsText = await qa.page.locator('#key_strengths').inputValue();
  assert.match(strengthsText, new RegExp(`- Voice of the child: 1 audit \\(audit ${first.auditId}\\)`));
  assert.match(strengthsText, new RegExp(`Not yet tagged with a theme: audit ${second.auditId}\\.`));
  assert.match(await qa.page.locator('#main_findings').inputValue(), /2 cases selected for audit; 2 completed by the due date \(100%\)\./);
  assert.ok(!(await qa.page.locator('form[data-testid="report-form"]').innerText()).includes(child));
  const tables = qa.page.getByTestId('figure-table');
  assert.ok(await tables.count() >= 5, 'the figures as tables');

  // Bad input: a Child Unique ID in the text holds finalising until it is edited out.
  const main = await qa.page.locator('#main_findings').inputValue();
  await qa.page.fill('#main_findings', `${main}\nThe audit of ${child} showed drift.`);
  await qa.page.locator('#save-report').tap();
  const check = qa.page.getByTestId('disclosure-check');
  await check.getByText(new RegExp(child)).waitFor();
  assert.equal(await qa.page.locator('#finalise').isDisabled(), true, 'finalising waits');
  await quiet(qa.page);
  await qa.page.fill('#main_findings', `${main}\nOne audit showed drift in planning.`);
  await qa.page.locator('#save-report').tap();
  await check.getByTestId('no-flags').waitFor();
  await quiet(qa.page);
  assert.match(await qa.page.getByTestId('report-state').innerText(), /Version 3/);

  // A Practice Improvement Team member comments, and cannot open an audit.
  const pit = await signedIn('pit.1@anytown.example');
  await pit.page.goto(reportUrl);
  await hydrated(pit.page);
  assert.equal(await pit.page.locator('#main_findings').count(), 0, 'read-only for them');
  await pit.page.getByTestId('report-sections').getByText('One audit showed drift in planning.').waitFor();
  await pit.page.fill('#comment', 'Add the trend for oversight next month.');
  await pit.page.getByRole('button', { name: 'Add comment' }).tap();
  await pit.page.getByTestId('comments').getByText('Add the trend for oversight next month.').waitFor();
  await quiet(pit.page);
  // An audit is not theirs to see: refused as if it were not there.
  const refused = await pit.page.goto(`${BASE}/audits/${first.auditId}/record`);
  assert.equal(refused.status(), 404);
  await pit.page.getByTestId('not-found').waitFor();
  await pit.context.close();

  // The QA Manager sees the comment, finalises, and downloads the Word document.
  await qa.page.reload();
  await hydrated(qa.page);
  await qa.page.getByTestId('comments').getByText('Add the trend for oversight next month.').waitFor();
  await qa.page.locator('#finalise').tap();
  await qa.page.getByTestId('report-state').getByText('Final', { exact: true }).waitFor();
  await quiet(qa.page);
  assert.equal(await qa.page.locator('#main_findings').count(), 0, 'locked');
  const href = await qa.page.getByTestId('download-docx').getAttribute('href');
  assert.equal(href, `/reports/${reportId}/report.docx`);
  const [download] = await Promise.all([
    qa.page.waitForEvent('download'),
    qa.page.getByTestId('download-docx').tap(),
  ]);
  assert.equal(download.suggestedFilename(), 'audit-summary-report-2027-01-2027-01.docx');
  const reply = await qa.context.request.get(`${BASE}${href}`);
  assert.equal(reply.status(), 200);
  const bytes = await reply.body();
  assert.equal(bytes.subarray(0, 2).toString(), 'PK', 'a Word document is a zip');
  await qa.context.close();

  // The print page renders to an A4 PDF with every table whole on a page.
  const context = await browser.newContext({ viewport: { width: 1024, height: 1400 } });
  const page = await context.newPage();
  await signIn(page, 'qa.manager@anytown.example');
  await page.waitForURL(`${BASE}/`);
  await page.goto(`${BASE}/reports/${reportId}/print`);
  await page.getByTestId('print-report').waitFor();
  await page.emulateMedia({ media: 'print' });
  const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
  const boxes = [...pdf.toString('latin1').matchAll(/\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/g)];
  assert.ok(boxes.length >= 1, 'pages have a media box');
  for (const [, w, h] of boxes) {
    assert.ok(Math.abs(Number(w) - 595.3) < 2 && Math.abs(Number(h) - 841.9) < 2, `A4, not ${w}×${h}`);
  }
  // A4 less the page margins, in CSS pixels: no table taller than a page, and none may split.
  const printable = ((297 - 36) / 25.4) * 96;
  const layout = await page.evaluate(() => [...document.querySelectorAll('.print-report table')].map((t) => ({
    height: t.getBoundingClientRect().height,
    breaks: getComputedStyle(t).breakInside,
  })));
  assert.ok(layout.length >= 5);
  for (const t of layout) {
    assert.equal(t.breaks, 'avoid');
    assert.ok(t.height < printable, `a table of ${t.height}px fits on one page`);
  }
  await context.close();
});

test('a feedback session: arranged, accepted from the tray, attended, and its feedback shown', async () => {
  const [audit] = await completedRound('2027-02', 1);
  const qa = await signedIn('qa.manager@anytown.example');
  await qa.page.goto(`${BASE}/sessions`);
  await hydrated(qa.page);

  // Bad input first: no title, a time in the past.
  await qa.page.selectOption('#round_id', { label: 'February 2027' });
  await qa.page.fill('#starts_at', '2020-01-08T10:00');
  await qa.page.fill('#place', 'Room 2, Civic Centre');
  await qa.page.getByRole('button', { name: 'Arrange the session' }).tap();
  const errors = qa.page.getByTestId('error-summary');
  await errors.getByText('Enter a title for the session').waitFor();
  await errors.getByText('The session must be in the future').waitFor();
  await qa.page.locator('#starts_at-error').waitFor();
  await quiet(qa.page);
  await qa.page.fill('#title', 'February audit feedback');
  await qa.page.fill('#starts_at', '2030-03-12T14:00');
  await qa.page.getByRole('button', { name: 'Arrange the session' }).tap();
  await qa.page.waitForURL(/\/sessions\/\d+$/);
  const sessionUrl = qa.page.url();
  await qa.page.getByTestId('session-title').getByText('February audit feedback').waitFor();
  assert.match(await qa.page.getByTestId('session-when').innerText(), /Tuesday 12 March 2030 at 14:00/);

  // The key worker finds the invitation in their tray and says they will come.
  const kw = await signedIn(audit.kw.email);
  await kw.page.goto(`${BASE}/tray`);
  await hydrated(kw.page);
  const invite = kw.page.locator('[data-kind="session_invited"]');
  assert.match(await invite.innerText(), /February audit feedback/);
  await invite.getByRole('link', { name: 'Open' }).tap();
  await kw.page.waitForURL(sessionUrl);
  await hydrated(kw.page);
  await kw.page.locator('#accept-session').tap();
  await kw.page.getByTestId('accepted').waitFor();
  await quiet(kw.page);
  assert.equal(await kw.page.getByTestId('results').count(), 0, 'no one else\'s feedback');

  // The QA Manager records that they came.
  await qa.page.reload();
  await hydrated(qa.page);
  const me = ok(await call(audit.kw.cookie, 'current_user'), 'current_user');
  await qa.page.locator(`#attended-${me.person_id}`).check();
  await qa.page.locator('#record-attendance').tap();
  await qa.page.getByTestId('attendance').getByText(/\(came\)/).waitFor();
  await quiet(qa.page);

  // The key worker is asked for feedback in their tray; a form without ratings is refused.
  await kw.page.goto(`${BASE}/tray`);
  await hydrated(kw.page);
  const asked = kw.page.locator('[data-kind="session_feedback_asked"]');
  await asked.getByRole('link', { name: 'Open' }).tap();
  await kw.page.waitForURL(`${sessionUrl}/feedback`);
  await hydrated(kw.page);
  await kw.page.locator('#send-feedback').tap();
  await kw.page.getByTestId('error-summary').getByText('Choose how useful the audit was').waitFor();
  await quiet(kw.page);
  await kw.page.getByLabel('Mostly').first().check();
  await kw.page.locator('#discussion-5').check();
  await kw.page.fill('#improve', 'More time to prepare beforehand.');
  await kw.page.locator('#send-feedback').tap();
  await kw.page.getByTestId('feedback-thanks').waitFor();

  // The session's results show it.
  await qa.page.reload();
  await hydrated(qa.page);
  const results = qa.page.getByTestId('results');
  await results.getByText('More time to prepare beforehand.').waitFor();
  assert.match(await qa.page.getByTestId('session-results').innerText(), /1 response/);
  assert.match(await qa.page.getByTestId('session-results').innerText(), /4\.0 out of 5/);
  await kw.context.close();
  await qa.context.close();
});
