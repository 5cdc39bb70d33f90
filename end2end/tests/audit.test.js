// The audit on a tablet: the auditor arranges the discussion, the key worker accepts, the
// auditor fills in the form (with the network cut for a while, and nothing lost), records
// feedback, the key worker confirms the discussion, the auditor completes; the Team Manager
// finds the tray alert and reads the filed audit and case note.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { BASE, TABLET, launch, hydrated, signIn, session, call, londonMinute } = require('./helpers');

let browser;
before(async () => { browser = await launch(); });
after(async () => { if (browser) await browser.close(); });

const slug = (name) => name.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w && w !== 'and').join('-');

/** A confirmed round with one List 7 case assigned to auditor.1; returns its audit and people. */
async function assignedAudit() {
  const qa = await session('qa.manager@anytown.example');
  const round = (await call(qa, 'create_round', { month: '2027-01' })).json;
  assert.equal((await call(qa, 'draw_round', { round_id: round, quota_7: '1' })).status, 200);
  assert.equal((await call(qa, 'confirm_round', { round_id: round })).status, 200);
  const row = (await call(qa, 'round_detail', { round_id: round })).json.assignments.rows[0];
  const auditor = await session('auditor.1@anytown.example');
  const me = (await call(auditor, 'current_user')).json;
  const assigned = await call(qa, 'assign_auditors', { round_id: round, [`auditor[${row.round_case_id}]`]: String(me.person_id) });
  assert.equal(assigned.status, 200, JSON.stringify(assigned.json));
  const audit = (await call(auditor, 'my_audits')).json.audits[0];
  // The key worker is one of the team's workers: the one who may open the audit.
  for (let n = 1; n <= 6; n += 1) {
    const email = `kw.${slug(row.team)}.${n}@anytown.example`;
    const cookie = await session(email).catch(() => null);
    if (cookie && (await call(cookie, 'audit_detail', { audit_id: audit.id })).status === 200) {
      return { audit, team: row.team, keyWorker: email };
    }
  }
  throw new Error('no key worker found');
}

async function tablet() {
  const context = await browser.newContext({ viewport: TABLET, hasTouch: true });
  return { context, page: await context.newPage() };
}

test('an audit from arranging the discussion to the filed record, on a tablet', async () => {
  const { audit, team, keyWorker } = await assignedAudit();
  const url = `${BASE}/audits/${audit.id}`;

  // The auditor proposes two times; a bad one is named first.
  const auditor = await tablet();
  await signIn(auditor.page, 'auditor.1@anytown.example');
  await auditor.page.waitForURL(`${BASE}/`);
  await auditor.page.getByRole('link', { name: 'Audits', exact: true }).tap();
  // The home page lists the audit too: wait for the Audits page itself, or the tap can land
  // on the home page's link just as the router replaces it (a lost tap, 1 run in 7).
  await auditor.page.waitForURL(`${BASE}/audits`);
  await auditor.page.getByRole('heading', { name: 'My audits' }).waitFor();
  await auditor.page.getByTestId('audits-table').getByRole('link', { name: audit.child_unique_id }).tap();
  await auditor.page.waitForURL(url);
  await hydrated(auditor.page);
  await auditor.page.fill('#time-1', '2020-01-08T10:00');
  await auditor.page.getByRole('button', { name: 'Send the times' }).tap();
  await auditor.page.locator('#time-1-error').waitFor();
  assert.match(await auditor.page.locator('#time-1-error').innerText(), /in the future/);
  await auditor.page.fill('#time-1', '2030-01-08T10:00');
  await auditor.page.fill('#time-2', '2030-01-09T14:30');
  await auditor.page.getByRole('button', { name: 'Send the times' }).tap();
  await auditor.page.getByTestId('proposed-times').getByText('Tuesday 8 January 2030 at 10:00', { exact: false }).waitFor();
  // The proposal is in the audit's history too.
  assert.match(await auditor.page.getByTestId('audit-history').innerText(), /2 discussion times proposed by [^:\n]+: Tuesday 8 January 2030 at 10:00; Wednesday 9 January 2030 at 14:30/);

  // The key worker finds the alert and accepts a time; the invitation downloads.
  const kw = await tablet();
  await signIn(kw.page, keyWorker);
  await kw.page.waitForURL(`${BASE}/`);
  await kw.page.goto(`${BASE}/tray`);
  assert.match(await kw.page.getByTestId('tray').innerText(), /proposed to discuss the audit of case/);
  await kw.page.getByTestId('tray').getByRole('link', { name: 'Open' }).first().tap();
  await kw.page.waitForURL(url);
  await hydrated(kw.page);
  await kw.page.getByRole('button', { name: 'Accept this time' }).first().tap();
  await kw.page.getByTestId('agreed-time').waitFor();
  const ics = await kw.page.request.get(`${url}/discussion.ics`);
  assert.equal(ics.status(), 200);
  // Parsed back: London time with its zone defined, and a link a calendar can open.
  const invitation = (await ics.text()).replace(/\r\n /g, '');
  assert.match(invitation, /\r\nDTSTART;TZID=Europe\/London:20300108T100000\r\n/);
  assert.match(invitation, /BEGIN:VTIMEZONE\r\nTZID:Europe\/London\r\n/);
  assert.match(invitation, /\r\nURL:https?:\/\/[^\r\n/]+\/audits\/\d+\r\n/);
  assert.equal(await kw.page.getByTestId('ics-link').count(), 1);

  // The auditor fills in the form: autosaved, then with the network cut, then back.
  await auditor.page.reload();
  await auditor.page.getByTestId('audit-form').waitFor();
  await hydrated(auditor.page);
  const domains = ['voice', 'assessment', 'planning', 'oversight', 'multi_agency', 'recording'];
  for (const key of domains) {
    await auditor.page.selectOption(`#grade-${key}`, 'good');
    await auditor.page.fill(`#narrative-${key}`, `Clear evidence for ${key}.`);
  }
  await auditor.page.fill('#action-0', 'Update the safety plan with the family');
  await auditor.page.fill('#owner-0', 'Key worker');
  await auditor.page.fill('#due-0', '2027-02-26');
  await auditor.page.getByText('All changes saved').waitFor({ timeout: 15000 });

  await auditor.context.setOffline(true);
  await auditor.page.fill('#strengths', 'Typed while the network was down: the child is heard.');
  await auditor.page.getByText('Offline: your changes are kept on this device').waitFor({ timeout: 15000 });
  await auditor.page.waitForTimeout(4000); // another autosave tick, still offline
  await auditor.context.setOffline(false);
  await auditor.page.getByText('All changes saved').waitFor({ timeout: 15000 });

  // Bad input: text over the limit is refused beside the field, and nothing is lost.
  await auditor.page.fill('#development', 'x'.repeat(10001));
  await auditor.page.getByTestId('error-summary').waitFor({ timeout: 15000 });
  assert.match(await auditor.page.getByTestId('error-summary').innerText(), /Areas for development must be 10000 characters or fewer/);
  await auditor.page.fill('#development', 'Supervision records are behind.');
  await auditor.page.getByText('All changes saved').waitFor({ timeout: 15000 });
  await auditor.page.reload();
  await auditor.page.getByTestId('audit-form').waitFor();
  assert.equal(await auditor.page.inputValue('#strengths'), 'Typed while the network was down: the child is heard.');

  // Feedback from the child, in their words.
  await hydrated(auditor.page);
  await auditor.page.getByText('Record feedback').tap();
  await auditor.page.selectOption('#from-whom', 'child');
  await auditor.page.selectOption('#how', 'visit');
  await auditor.page.fill('#said', 'My worker listens to me.');
  // Without a date it is refused, and the child's words stay in the form to be sent again.
  await auditor.page.getByRole('button', { name: 'Save feedback' }).tap();
  await auditor.page.locator('#given-on-error').waitFor();
  assert.equal(await auditor.page.inputValue('#said'), 'My worker listens to me.');
  await auditor.page.fill('#given-on', '2026-11-20');
  await auditor.page.getByRole('button', { name: 'Save feedback' }).tap();
  await auditor.page.getByTestId('feedback-list').waitFor();
  await auditor.page.getByTestId('audit-history').getByText(/Feedback from the child or young person recorded by /).waitFor();

  // Before the agreed time the key worker cannot confirm yet, and is told why.
  await kw.page.reload();
  await kw.page.getByTestId('confirm-not-yet').waitFor();
  assert.match(await kw.page.getByTestId('confirm-not-yet').innerText(), /agreed for Tuesday 8 January 2030 at 10:00/);
  // They met earlier: the auditor records when.
  await auditor.page.fill('#held-at', londonMinute());
  await auditor.page.getByRole('button', { name: 'Record that the discussion took place' }).tap();
  await auditor.page.getByTestId('discussion-held').waitFor();

  // The key worker reads the draft and confirms the discussion.
  await kw.page.reload();
  await kw.page.getByTestId('confirm-findings').waitFor();
  await hydrated(kw.page);
  await kw.page.fill('#reflection', 'A fair picture of the work.');
  await kw.page.getByRole('button', { name: 'Confirm the findings were discussed' }).tap();
  await kw.page.getByText('Findings discussed').first().waitFor();

  // Completing needs every grade: the missing one is named.
  await auditor.page.reload();
  await auditor.page.getByTestId('complete-form').waitFor();
  await hydrated(auditor.page);
  await auditor.page.locator('#complete').tap();
  await auditor.page.getByText('Choose a grade for Impact and outcomes').first().waitFor();
  // Grading after the key worker confirmed sends the findings back to them.
  await auditor.page.selectOption('#grade-impact', 'good');
  await auditor.page.selectOption('#overall', 'good');
  await auditor.page.getByText('All changes saved').waitFor({ timeout: 15000 });
  await kw.page.goto(`${BASE}/tray`);
  assert.match(await kw.page.getByTestId('tray').innerText(), /changed the grades or findings/);
  await kw.page.goto(url);
  await kw.page.getByTestId('confirm-findings').waitFor();
  await hydrated(kw.page);
  await kw.page.getByRole('button', { name: 'Confirm the findings were discussed' }).tap();
  await kw.page.getByTestId('confirm-findings').waitFor({ state: 'detached' });

  // The last change, typed less than a second before Complete, is filed with the audit.
  await auditor.page.reload();
  await auditor.page.getByTestId('complete-form').waitFor();
  await hydrated(auditor.page);
  await auditor.page.fill('#action-1', 'Share the plan with the school');
  await auditor.page.fill('#owner-1', 'Team Manager');
  await auditor.page.fill('#due-1', '2027-03-05');
  await auditor.page.locator('#complete').tap();
  await auditor.page.getByTestId('case-note').waitFor();
  assert.match(await auditor.page.getByTestId('audit-state').innerText(), /Completed/);
  assert.match(await auditor.page.getByTestId('case-note').innerText(), /Share the plan with the school/);
  // The action's due date reads as every other date does; a done audit offers no invitation.
  assert.match(await auditor.page.locator('body').innerText(), /Share the plan with the school\s+Team Manager\s+5 March 2027/);
  assert.equal(await auditor.page.getByTestId('ics-link').count(), 0);

  // The Team Manager finds the alert and reads the filed audit and case note.
  const tm = await tablet();
  await signIn(tm.page, `tm.${slug(team)}@anytown.example`);
  await tm.page.waitForURL(`${BASE}/`);
  await tm.page.goto(`${BASE}/tray`);
  assert.match(await tm.page.getByTestId('tray').innerText(), new RegExp(`Audit recommendations to complete: case ${audit.child_unique_id}`));
  await tm.page.getByTestId('tray').getByRole('link', { name: 'Open' }).first().tap();
  await tm.page.waitForURL(`${url}/record`);
  const filed = await tm.page.getByTestId('filed-audit').innerText();
  assert.match(filed, /Typed while the network was down/);
  assert.match(filed, /My worker listens to me/);
  const note = await tm.page.getByTestId('record-case-note').innerText();
  assert.match(note, /Overall grade: Good/);
  assert.match(note, /1\. Update the safety plan with the family \(owner: Key worker; due 26\/02\/2027\)/);
  assert.match(note, /2\. Share the plan with the school \(owner: Team Manager; due 05\/03\/2027\)/);
  // The filed record keeps the whole history, as the audit page shows it.
  assert.match(await tm.page.getByTestId('record-history').innerText(),
    /discussion times? proposed by [\s\S]*Discussion arranged by [\s\S]*The discussion took place on [\s\S]*Findings discussed by [\s\S]*Completed by /);

  // The QA Manager opens the audit and asks who has seen it: the list is read on opening
  // (its own island on a page drawn on the server), and names the Team Manager's reading.
  const qa = await tablet();
  await signIn(qa.page, 'qa.manager@anytown.example');
  await qa.page.waitForURL(`${BASE}/`);
  await qa.page.goto(url);
  await hydrated(qa.page);
  assert.equal(await qa.page.getByTestId('audit-form').count(), 0, 'the QA Manager reads, not edits');
  await qa.page.getByText('Who has seen this').tap();
  const seen = qa.page.getByTestId('who-has-seen').getByTestId('access-table');
  await seen.waitFor();
  const tmName = (await call(await session(`tm.${slug(team)}@anytown.example`), 'current_user')).json.display_name;
  assert.match(await seen.innerText(), new RegExp(tmName));
  for (const c of [auditor, kw, tm, qa]) await c.context.close();
});
