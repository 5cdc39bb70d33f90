// The dashboard's figures lead to the lists behind them; an auditor's own dashboard shows
// what waits on them; the tray filters by type and unread. On a tablet, with bad input.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { BASE, TABLET, launch, hydrated, signIn, session, call } = require('./helpers');

let browser;
let auditId;
before(async () => {
  browser = await launch();
  // A confirmed round of three cases, one assigned to auditor.1.
  const qa = await session('qa.manager@anytown.example');
  const round = (await call(qa, 'create_round', { month: '2027-02' })).json;
  await call(qa, 'draw_round', { round_id: round, quota_6: '2', quota_8: '1' });
  await call(qa, 'confirm_round', { round_id: round });
  const row = (await call(qa, 'round_detail', { round_id: round })).json.assignments.rows[0];
  const auditor = await session('auditor.1@anytown.example');
  const me = (await call(auditor, 'current_user')).json;
  const assigned = await call(qa, 'assign_auditors', { round_id: round, [`auditor[${row.round_case_id}]`]: String(me.person_id) });
  assert.equal(assigned.status, 200);
  auditId = (await call(auditor, 'my_audits')).json.audits[0].id;
  // A new audit form: every auditor gets a "form revised" alert.
  assert.equal((await call(qa, 'publish_template', { 't[title-0]': 'Voice of the child' })).status, 200);
});
after(async () => { if (browser) await browser.close(); });

async function tablet(email) {
  const context = await browser.newContext({ viewport: TABLET, hasTouch: true });
  const page = await context.newPage();
  await signIn(page, email);
  await page.waitForURL(`${BASE}/`);
  return { context, page };
}

test('a dashboard figure opens the list behind it, with the same number of cases', async () => {
  const { context, page } = await tablet('qa.manager@anytown.example');
  await page.goto(`${BASE}/dashboard`);
  await hydrated(page);
  const figure = page.locator('td[data-figure="All:Selected"] a');
  const selected = Number(await figure.innerText());
  assert.equal(selected, 2, 'two of three cases still wait for an auditor');
  await figure.tap();
  await page.waitForURL(/\/dashboard\/list\?round=\d+&list=audits&state=selected$/);
  await page.getByTestId('list-description').getByText('Audits · Selected').waitFor();
  assert.equal(await page.getByTestId('dashboard-list').locator('tbody tr').count(), selected);
  assert.equal(await page.getByTestId('list-count').innerText(), `${selected} in this list`);

  // The auditor's row leads to their one assigned audit.
  await page.getByText('Back to the dashboard').tap();
  await page.waitForURL(/\/dashboard\?round=\d+$/);
  await page.getByTestId('dashboard-panel').filter({ hasText: 'By auditor' }).locator('td[data-figure$=":Assigned"] a').first().tap();
  await page.waitForURL(/auditor=\d+&state=assigned$/);
  // Counted once the list has rendered (a count does not wait).
  await page.getByTestId('dashboard-list').locator(`a[href="/audits/${auditId}"]`).waitFor();
  assert.equal(await page.getByTestId('dashboard-list').locator('tbody tr').count(), 1);

  // An address the dashboard never wrote is refused, not guessed at.
  const bad = await page.goto(`${BASE}/dashboard/list?round=1&list=audits&name=Smith`);
  assert.equal(bad.status(), 404);
  await page.getByText('Page not found').first().waitFor();
  await context.close();
});

test("an auditor's own dashboard shows what waits on them", async () => {
  const { context, page } = await tablet('auditor.1@anytown.example');
  await page.goto(`${BASE}/dashboard`);
  await hydrated(page);
  const waiting = page.getByTestId('personal').getByTestId('audits-table');
  await waiting.getByText('Propose times for the discussion').waitFor();
  assert.equal(await page.locator('td[data-figure="As auditor:Assigned"]').innerText(), '1');
  assert.equal(await page.getByText('Audit rounds').count(), 0, 'no teams’ figures for an auditor');
  await waiting.locator(`a[href="/audits/${auditId}"]`).tap();
  await page.waitForURL(`${BASE}/audits/${auditId}`);
  await context.close();
});

test('the tray filters by type and by unread, and refuses a made-up filter', async () => {
  const { context, page } = await tablet('auditor.1@anytown.example');
  await page.goto(`${BASE}/tray`);
  await hydrated(page);
  const items = page.getByTestId('tray').locator('li');
  assert.ok(await items.count() >= 2, 'assigned and form-revised alerts');

  await page.selectOption('#kind', 'form_revised');
  await page.getByRole('button', { name: 'Filter' }).tap();
  await page.waitForURL(/kind=form_revised/);
  await page.getByTestId('tray').waitFor();
  assert.equal(await items.count(), 1);
  assert.equal(await items.first().getAttribute('data-kind'), 'form_revised');
  await items.first().getByRole('button', { name: 'Mark as read' }).tap();
  await items.first().getByText('Unread').waitFor({ state: 'detached' });

  await page.selectOption('#show', 'unread');
  await page.getByRole('button', { name: 'Filter' }).tap();
  await page.waitForURL(/show=unread/);
  await page.getByTestId('tray-empty').getByText('No alerts match this filter.').waitFor();

  await page.goto(`${BASE}/tray?kind=gossip`);
  await page.getByTestId('error-message').getByText('Choose a type of alert from the list').waitFor();
  await context.close();
});
