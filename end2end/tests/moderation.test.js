// Moderation on a tablet: a past round's three completed audits (set up through the server
// functions); the QA Manager draws the sample and sees it verified; the panel (PSW,
// Safeguarding & Review, QA Manager), each in their own browser, records views, with bad
// input refused first; the QA Manager records the outcome (a reason is needed, as the views
// differ); the auditor finds the alert and reads both grades; the results count it.
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

const LABEL = {
  outstanding: 'Outstanding',
  good: 'Good',
  requires_improvement: 'Requires improvement to be good',
  inadequate: 'Inadequate',
};

/** The Assistant Director asked about a good audit agrees with every grade. */
async function directorAgrees(auditId) {
  const views = { audit_id: auditId, 'f[overall]': 'agree' };
  for (const d of DOMAINS) views[`f[domain-${d}]`] = 'agree';
  for (const email of ['ad.1@anytown.example', 'ad.2@anytown.example']) {
    const reply = await call(await session(email), 'record_moderation', views);
    if (reply.status === 200) return;
  }
  throw new Error(`no Assistant Director was asked about audit ${auditId}`);
}

/**
 * A round for `month` whose List 7 audits auditor.1 completed, one per grade in `grades`
 * (every domain graded the same as the overall grade): { round, audits: [{ id, child, grade }] }.
 */
async function completedRound(month, grades) {
  const qa = await session('qa.manager@anytown.example');
  const round = ok(await call(qa, 'create_round', { month }), 'create_round');
  ok(await call(qa, 'draw_round', { round_id: round, quota_7: String(grades.length) }), 'draw_round');
  ok(await call(qa, 'confirm_round', { round_id: round }), 'confirm_round');
  const auditor = await session('auditor.1@anytown.example');
  const me = ok(await call(auditor, 'current_user'), 'current_user');
  const rows = ok(await call(qa, 'round_detail', { round_id: round }), 'round_detail').assignments.rows;
  assert.equal(rows.length, grades.length);
  const assign = { round_id: round };
  for (const row of rows) assign[`auditor[${row.round_case_id}]`] = String(me.person_id);
  ok(await call(qa, 'assign_auditors', assign), 'assign_auditors');
  const assigned = ok(await call(qa, 'round_detail', { round_id: round }), 'round_detail').assignments.rows;
  const audits = [];
  for (const [i, row] of assigned.entries()) {
    const id = row.audit[0];
    const grade = grades[i];
    const { cookie: kw } = await keyWorkerOf(row.team, id);
    ok(await call(auditor, 'propose_times', { audit_id: id, time_1: '2030-01-08T10:00' }), 'propose_times');
    const time = ok(await call(kw, 'audit_detail', { audit_id: id }), 'audit_detail').times[0];
    ok(await call(kw, 'accept_time', { audit_id: id, time_id: time.id }), 'accept_time');
    const form = (version) => {
      const f = {
        audit_id: id, version: String(version), 'f[overall]': grade,
        'f[strengths]': 'Warm relationship with the child.',
        'f[action-0]': 'Update the child protection plan', 'f[owner-0]': 'Key worker', 'f[due-0]': '2027-02-15',
      };
      for (const d of DOMAINS) { f[`f[grade-${d}]`] = grade; f[`f[narrative-${d}]`] = `Findings on ${d}.`; }
      return f;
    };
    let version = ok(await call(auditor, 'audit_detail', { audit_id: id }), 'audit_detail').version;
    ok(await call(auditor, 'save_draft', form(version)), 'save_draft');
    await discussionHeld(auditor, id);
    ok(await call(kw, 'confirm_findings', { audit_id: id, reflection: 'Fair.' }), 'confirm_findings');
    version = ok(await call(auditor, 'audit_detail', { audit_id: id }), 'audit_detail').version;
    ok(await call(auditor, 'complete_audit', form(version)), 'complete_audit');
    audits.push({ id, child: row.child_unique_id, grade });
  }
  return { round, audits };
}

/** Signs in on a new tablet and opens the audit's moderation page, hydrated. */
async function moderator(email, url) {
  const t = await tablet(browser);
  await signIn(t.page, email);
  await t.page.waitForURL(`${BASE}/`);
  await t.page.goto(url);
  await t.page.getByTestId('moderation-heading').waitFor();
  await hydrated(t.page);
  return t;
}

/** Chooses a verdict for every domain, and `overall` for the overall grade. */
async function chooseVerdicts(page, overall = 'agree') {
  for (const d of DOMAINS) await page.selectOption(`#domain-${d}`, 'agree');
  await page.selectOption('#overall', overall);
}

test('a round is drawn, moderated by the panel, and the auditor sees both grades', async () => {
  const month = '2026-06';
  const { round, audits } = await completedRound(month, ['good', 'requires_improvement', 'inadequate']);

  // The QA Manager opens the round and draws the sample.
  const qa = await tablet(browser);
  await signIn(qa.page, 'qa.manager@anytown.example');
  await qa.page.waitForURL(`${BASE}/`);
  await qa.page.goto(`${BASE}/moderation`);
  await hydrated(qa.page);
  const listed = qa.page.getByTestId(`moderation-round-${round}`);
  assert.match(await listed.innerText(), /June 2026/);
  assert.match(await listed.innerText(), /1 to draw/);
  await listed.getByRole('link', { name: 'June 2026' }).tap();
  await qa.page.waitForURL(`${BASE}/moderation/rounds/${round}`);
  await qa.page.getByTestId('round-heading').getByText('June 2026').waitFor();
  await qa.page.getByRole('button', { name: 'Draw the moderation sample' }).tap();
  await qa.page.getByTestId('drawn').getByText('1 audit drawn').waitFor();
  const sample = qa.page.getByTestId('sample-table');
  await quiet(qa.page); // the draw's answer and the panel's alerts each have the page read again
  await sample.waitFor();
  assert.match(await qa.page.getByTestId('verified').innerText(), /Verified/);
  assert.equal(await qa.page.getByRole('button', { name: 'Draw the moderation sample' }).count(), 0, 'drawn once');
  const sampledRows = sample.locator('tbody tr');
  assert.equal(await sampledRows.count(), 1, 'a third of 3, rounded up');
  const auditId = Number((await sampledRows.first().getAttribute('data-testid')).replace('sampled-', ''));
  const drawnAudit = audits.find((a) => a.id === auditId);
  assert.ok(drawnAudit, `audit ${auditId} is one of the round's`);
  const sampledText = await sampledRows.first().innerText();
  assert.match(sampledText, new RegExp(drawnAudit.child));
  assert.match(sampledText, new RegExp(LABEL[drawnAudit.grade]));
  assert.match(sampledText, /0 of 3/, 'the panel of three is asked');

  // Withdrawing needs a reason: refused, and the sample stays as it is.
  await sampledRows.first().getByRole('button', { name: 'Withdraw and replace' }).tap();
  await qa.page.getByTestId('error-summary').getByText('Give the reason for withdrawing this audit').waitFor();
  await quiet(qa.page);
  await sample.waitFor();
  assert.equal(await sample.locator('tbody tr').count(), 1);
  assert.match(await sample.locator('tbody tr').first().innerText(), /Waiting/);

  const url = `${BASE}/audits/${auditId}/moderation`;
  const other = drawnAudit.grade === 'good' ? 'requires_improvement' : 'good';

  // The PSW submits without choosing, is refused grade by grade, then agrees throughout.
  const psw = await moderator('psw@anytown.example', url);
  await psw.page.getByTestId('view-form').waitFor();
  await psw.page.locator('#record-view').tap();
  const pswErrors = psw.page.getByTestId('error-summary');
  await pswErrors.waitFor();
  assert.match(await pswErrors.innerText(), /There is a problem/);
  assert.match(await pswErrors.innerText(), /Choose agree, or the grade you would give/);
  assert.equal(await pswErrors.locator('li').count(), 8, 'seven domains and the overall grade');
  assert.match(await psw.page.locator('#overall-error').innerText(), /Choose agree, or the grade you would give/);
  assert.match(await psw.page.locator('#domain-voice-error').innerText(), /Choose agree/);
  await quiet(psw.page);
  await chooseVerdicts(psw.page);
  await psw.page.locator('#record-view').tap();
  await pswErrors.waitFor({ state: 'detached' });
  await quiet(psw.page);
  await psw.page.getByTestId('moderation-heading').waitFor();
  assert.equal(await psw.page.getByTestId('view-form').count(), 0, 'recorded, once');

  // Safeguarding & Review would grade the overall grade differently: a comment is needed.
  const sr = await moderator('safeguarding.review@anytown.example', url);
  await chooseVerdicts(sr.page, other);
  await sr.page.locator('#record-view').tap();
  await sr.page.locator('#comments-error').getByText('Say why you would grade differently, for the auditor').waitFor();
  assert.match(await sr.page.getByTestId('error-summary').innerText(), /Say why you would grade differently/);
  await quiet(sr.page);
  await chooseVerdicts(sr.page, other);
  await sr.page.fill('#comments', 'The plan is reviewed on time, but the child\'s views are not yet shaping it.');
  await sr.page.locator('#record-view').tap();
  await sr.page.getByTestId('error-summary').waitFor({ state: 'detached' });
  await quiet(sr.page);
  await sr.page.getByTestId('moderation-heading').waitFor();
  assert.equal(await sr.page.getByTestId('view-form').count(), 0, 'recorded, once');

  // A good grade also goes to an Assistant Director, whose review the outcome waits for.
  if (drawnAudit.grade === 'good') await directorAgrees(drawnAudit.id);

  // The QA Manager records their own view, then the outcome.
  await qa.page.goto(url);
  await qa.page.getByTestId('view-form').waitFor();
  await hydrated(qa.page);
  await chooseVerdicts(qa.page);
  await qa.page.locator('#record-view').tap();
  await qa.page.getByTestId('view-form').waitFor({ state: 'detached' });
  const outcomeForm = qa.page.getByTestId('outcome-form');
  await outcomeForm.waitFor();
  await quiet(qa.page);
  assert.match(await outcomeForm.innerText(), /The moderators' views differ/);
  const views = await qa.page.getByTestId('moderation-view').allInnerTexts();
  assert.equal(views.filter((v) => /Moderation panel/.test(v) && /Recorded/.test(v)).length, 3, views.join('\n---\n'));
  assert.ok(views.some((v) => v.includes(`Overall grade: ${LABEL[other]}`)), views.join('\n---\n'));

  // Recording nothing is refused; so is confirming without a reason while the views differ.
  await qa.page.locator('#record-outcome').tap();
  await qa.page.locator('#outcome-error').getByText('Choose confirmed or changed').waitFor();
  await quiet(qa.page);
  await qa.page.locator('#outcome-confirmed').tap();
  await qa.page.locator('#record-outcome').tap();
  await qa.page.locator('#reason-error').getByText("The moderators' views differ: give the reason for the final grades").waitFor();
  assert.match(await qa.page.getByTestId('error-summary').innerText(), /views differ/);
  await quiet(qa.page);
  await outcomeForm.waitFor();
  assert.equal(await qa.page.getByTestId('outcome').count(), 0);

  // Changed, as Safeguarding & Review would have it, with the reason.
  await qa.page.locator('#outcome-changed').tap();
  await qa.page.selectOption('#outcome-overall', other);
  await qa.page.fill('#reason', 'The panel agreed with Safeguarding & Review on the overall grade.');
  await qa.page.locator('#record-outcome').tap();
  await qa.page.getByTestId('outcome').waitFor();
  await quiet(qa.page);
  await qa.page.getByTestId('outcome').waitFor();
  assert.match(await qa.page.getByTestId('outcome').innerText(), /Outcome: grades changed/);
  assert.equal(await qa.page.getByTestId('outcome-form').count(), 0, 'recorded once');

  // The auditor finds the alert and reads both grades, and the panel's comments.
  const auditor = await tablet(browser);
  await signIn(auditor.page, 'auditor.1@anytown.example');
  await auditor.page.waitForURL(`${BASE}/`);
  await auditor.page.goto(`${BASE}/tray`);
  const told = auditor.page.locator('[data-kind="moderation_outcome"]');
  assert.match(await told.innerText(), new RegExp(`Moderation of the audit of case ${drawnAudit.child} is complete: changed: now ${LABEL[other].toLowerCase()}`));
  await hydrated(auditor.page);
  await told.getByRole('link', { name: 'Open' }).tap();
  await auditor.page.waitForURL(url);
  await quiet(auditor.page);
  await auditor.page.getByTestId('outcome').waitFor();
  const overall = auditor.page.getByTestId('grade-#overall');
  const cells = await overall.locator('td').allInnerTexts();
  assert.equal(cells[0], LABEL[drawnAudit.grade], 'the auditor\'s grade stays as it was');
  assert.match(cells[1], new RegExp(`${LABEL[other]}\\s+Changed`));
  const voice = await auditor.page.getByTestId('grade-voice').locator('td').allInnerTexts();
  assert.deepEqual(voice, [LABEL[drawnAudit.grade], LABEL[drawnAudit.grade]]);
  assert.match(await auditor.page.locator('body').innerText(), /the child's views are not yet shaping it/);
  assert.equal(await auditor.page.getByTestId('view-form').count(), 0);
  assert.equal(await auditor.page.getByTestId('outcome-form').count(), 0);

  // The results count the moderated audit.
  await qa.page.goto(`${BASE}/moderation/results`);
  await qa.page.getByTestId('results-summary').waitFor();
  const summary = await qa.page.getByTestId('results-summary').innerText();
  assert.match(summary, /Completed audits\s+3/);
  assert.match(await qa.page.getByTestId('moderated-share').innerText(), /^1 \(33/);
  assert.match(await qa.page.getByTestId('overall-agreement').innerText(), /^0 of 1/);
  const csv = await qa.page.request.get(`${BASE}/moderation/results.csv`);
  assert.equal(csv.status(), 200);
  const text = await csv.text();
  assert.match(text, /^section,label,pairs,agreed/);
  assert.match(text, /overall,Overall grade,1,0,/);

  for (const c of [qa, psw, sr, auditor]) await c.context.close();
});
