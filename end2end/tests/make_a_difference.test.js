// Make A Difference on a tablet: a past round's good audit, moderated and confirmed (set up
// through the server functions), starts a draft summary. The QA Manager edits it to name the
// key worker, sees the disclosure check flag the name and hold publishing, is refused
// clearing it without a reason, clears it with one and publishes; another practitioner
// finds it in the library. The QA Manager proposes an interview (a past time refused first);
// the key worker finds the alert, accepts the time and gets the calendar invitation.
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

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A good audit of June 2026 (a past round, so open for moderation), completed by auditor.1,
 * drawn for moderation and confirmed by the QA Manager: { auditId, team, kw, summaryId }.
 */
async function confirmedGood() {
  const qa = await session('qa.manager@anytown.example');
  const round = ok(await call(qa, 'create_round', { month: '2026-06' }), 'create_round');
  ok(await call(qa, 'draw_round', { round_id: round, quota_7: '1' }), 'draw_round');
  ok(await call(qa, 'confirm_round', { round_id: round }), 'confirm_round');
  const auditor = await session('auditor.1@anytown.example');
  const me = ok(await call(auditor, 'current_user'), 'current_user');
  const [row] = ok(await call(qa, 'round_detail', { round_id: round }), 'round_detail').assignments.rows;
  ok(await call(qa, 'assign_auditors', { round_id: round, [`auditor[${row.round_case_id}]`]: String(me.person_id) }), 'assign_auditors');
  const [assigned] = ok(await call(qa, 'round_detail', { round_id: round }), 'round_detail').assignments.rows;
  const auditId = assigned.audit[0];
  const kw = await keyWorkerOf(assigned.team, auditId);
  ok(await call(auditor, 'propose_times', { audit_id: auditId, time_1: '2030-01-08T10:00' }), 'propose_times');
  const time = ok(await call(kw.cookie, 'audit_detail', { audit_id: auditId }), 'audit_detail').times[0];
  ok(await call(kw.cookie, 'accept_time', { audit_id: auditId, time_id: time.id }), 'accept_time');
  const form = (version) => {
    const f = {
      audit_id: auditId, version: String(version), 'f[overall]': 'good',
      'f[strengths]': 'Warm relationship with the child.',
      'f[action-0]': 'Update the child protection plan', 'f[owner-0]': 'Key worker', 'f[due-0]': '2027-02-15',
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
  ok(await call(qa, 'draw_moderation', { round_id: round }), 'draw_moderation');
  const views = { audit_id: auditId, 'f[overall]': 'agree' };
  for (const d of DOMAINS) views[`f[domain-${d}]`] = 'agree';
  ok(await call(qa, 'record_moderation', views), 'record_moderation');
  // A good grade's outcome waits for its Assistant Director's review.
  let director = 0;
  for (const email of ['ad.1@anytown.example', 'ad.2@anytown.example']) {
    if ((await call(await session(email), 'record_moderation', views)).status === 200) director += 1;
  }
  assert.equal(director, 1, 'one Assistant Director was asked');
  ok(await call(qa, 'record_moderation_outcome', { audit_id: auditId, 'f[outcome]': 'confirmed' }), 'record_moderation_outcome');
  const drafts = ok(await call(qa, 'difference_library'), 'difference_library').drafts;
  assert.equal(drafts.length, 1, 'confirmed good practice starts one draft');
  return { auditId, team: assigned.team, kw, summaryId: drafts[0].id };
}

async function signedIn(email) {
  const t = await tablet(browser);
  await signIn(t.page, email);
  await t.page.waitForURL(`${BASE}/`);
  return t;
}

test('a draft is checked, a flagged name cleared, published, and the interview accepted', async () => {
  const { team, kw, summaryId } = await confirmedGood();
  const { display_name: kwName, person_id: kwId } = ok(await call(kw.cookie, 'current_user'), 'current_user');
  const url = `${BASE}/make-a-difference/${summaryId}`;

  // The QA Manager finds the draft in the library and opens it.
  const qa = await signedIn('qa.manager@anytown.example');
  await qa.page.goto(`${BASE}/make-a-difference`);
  await hydrated(qa.page);
  const draft = qa.page.getByTestId('drafts').getByRole('link', { name: /^Good practice in / });
  assert.equal(await draft.count(), 1);
  const title = await draft.innerText();
  await draft.tap();
  await qa.page.waitForURL(url);
  await qa.page.getByTestId('summary-title').getByText(title).waitFor();
  assert.match(await qa.page.getByTestId('summary-state').innerText(), /Draft/);
  assert.match(await qa.page.getByTestId('interview').innerText(), new RegExp(`With ${escape(kwName)}\\.`), 'the key worker is on the interview');
  await quiet(qa.page);

  // The QA Manager names the key worker in the text and saves: the check flags the name
  // and holds publishing.
  const body = await qa.page.locator('#body').inputValue();
  assert.match(body, /Warm relationship with the child\./, 'drafted from the audit');
  await qa.page.fill('#body', `${kwName} kept a doorstep diary with the family every week.\n\n${body}`);
  await qa.page.locator('#save-summary').tap();
  const ours = qa.page.getByTestId('disclosure-check').getByTestId(`flag-name:${kwId}`);
  await ours.waitFor();
  assert.match(await ours.innerText(), new RegExp(`"${escape(kwName)}" is the name of a person in the staff directory`));
  assert.equal(await qa.page.locator('#publish').innerText(), 'Publish to the library');
  assert.equal(await qa.page.locator('#publish').isDisabled(), true, 'publishing waits for the flag');
  await quiet(qa.page);
  assert.match(await qa.page.locator('#body').inputValue(), /doorstep diary/, 'saved');

  // Clearing needs a reason.
  await ours.getByRole('button', { name: 'Clear this flag' }).tap();
  const errors = qa.page.getByTestId('error-summary');
  await errors.getByText('Give the reason this can be published').waitFor();
  await qa.page.locator(`[id="reason-name:${kwId}-error"]`).getByText('Give the reason this can be published').waitFor();
  await quiet(qa.page);
  assert.equal(await qa.page.locator('#publish').isDisabled(), true);

  // Cleared with the reason: the flag stays listed, cleared, and publishing is open.
  await ours.getByLabel('Why this may stay').fill('They agreed to be named');
  await ours.getByRole('button', { name: 'Clear this flag' }).tap();
  await ours.getByText(/Cleared by .*: They agreed to be named/).waitFor();
  await errors.waitFor({ state: 'detached' });
  await qa.page.locator('#publish:enabled').waitFor();
  await quiet(qa.page);

  // Published.
  await qa.page.locator('#publish').tap();
  await qa.page.getByTestId('summary-state').getByText('Published').waitFor();
  assert.equal(await qa.page.locator('#publish').count(), 0, 'published once, and locked');
  assert.equal(await qa.page.locator('#save-summary').count(), 0);
  assert.match(await qa.page.getByTestId('summary-body').innerText(), /doorstep diary/);
  await quiet(qa.page);

  // Another practitioner finds it in the library by a word of it.
  const otherTeam = slug(team) === 'leaving-care' ? 'early-help-north' : 'leaving-care';
  const other = await signedIn(`kw.${otherTeam}.1@anytown.example`);
  await other.page.goto(`${BASE}/make-a-difference`);
  await hydrated(other.page);
  await other.page.fill('#q', 'doorstep');
  await other.page.getByRole('button', { name: 'Search' }).tap();
  await other.page.waitForURL(/[?&]q=doorstep/);
  const found = other.page.getByTestId('library').getByRole('link', { name: title });
  await found.waitFor();
  assert.equal(await other.page.getByTestId('library').locator('li').count(), 1);
  await other.page.fill('#q', 'chronology');
  await other.page.getByRole('button', { name: 'Search' }).tap();
  await other.page.getByTestId('no-summaries').waitFor();
  await other.context.close();

  // The QA Manager proposes an interview: a time in the past is refused, a future one taken.
  const times = qa.page.getByTestId('interview');
  await qa.page.fill('#time-1', '2020-01-08T10:00');
  await qa.page.locator('#propose').tap();
  await errors.getByText('Choose a time in the future').waitFor();
  await qa.page.locator('#time-1-error').getByText('Choose a time in the future').waitFor();
  await quiet(qa.page);
  await qa.page.fill('#time-1', '2030-07-01T14:30');
  await qa.page.locator('#propose').tap();
  await times.getByTestId('interview-times').getByText('1 July 2030 at 14:30 (45 minutes)').waitFor();
  await errors.waitFor({ state: 'detached' });

  // The key worker finds the alert, opens the summary and accepts the time.
  const worker = await signedIn(kw.email);
  await worker.page.goto(`${BASE}/tray`);
  await hydrated(worker.page);
  const told = worker.page.locator('[data-kind="interview_proposed"]');
  assert.match(await told.innerText(), /Choose a time for a Make A Difference interview/);
  await told.getByRole('link', { name: 'Open' }).tap();
  await worker.page.waitForURL(url);
  await worker.page.getByTestId('summary-body').getByText(/doorstep diary/).waitFor();
  await hydrated(worker.page);
  await worker.page.getByRole('button', { name: 'Accept this time' }).tap();
  const agreed = worker.page.getByTestId('interview-agreed');
  await agreed.waitFor();
  assert.match(await agreed.innerText(), /Arranged for 1 July 2030 at 14:30 \(45 minutes\)\. Accepted by /);
  assert.equal(await worker.page.getByRole('button', { name: 'Accept this time' }).count(), 0, 'accepted once');

  // The calendar invitation, in London time with an absolute link back.
  const link = worker.page.getByRole('link', { name: 'Add to your calendar' });
  const href = await link.getAttribute('href');
  assert.equal(href, `/make-a-difference/${summaryId}/interview.ics`);
  const reply = await worker.context.request.get(`${BASE}${href}`);
  assert.equal(reply.status(), 200);
  assert.match(reply.headers()['content-type'], /^text\/calendar/);
  const ics = (await reply.text()).replace(/\r\n[ \t]/g, '');
  assert.ok(ics.includes('DTSTART;TZID=Europe/London:20300701T143000'), ics);
  assert.ok(ics.includes('DTEND;TZID=Europe/London:20300701T151500'), ics);
  assert.match(ics, new RegExp(`\\r\\nURL:https?://[^/\\r\\n]+/make-a-difference/${summaryId}\\r\\n`), ics);

  // The QA Manager is told, and sees it arranged without reloading.
  await times.getByTestId('interview-agreed').waitFor({ timeout: 5000 });

  await qa.context.close();
  await worker.context.close();
});
