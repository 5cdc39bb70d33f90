// List 2 as Ofsted lays it out (no Allocated Team or Allocated Worker) imports; its new
// families wait for a lead practitioner, which the QA Manager sets on a case's page (with
// and without the WebAssembly) and with a Lead practitioners file. On a tablet, and at 320 px.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const {
  BASE, TABLET, launch, hydrated, signIn, assertAccessible, session, call, ok,
} = require('./helpers');

const QA = 'qa.manager@anytown.example';
const KW = 'kw.early-help-north.1@anytown.example';
const FAMILIES = ['FAM0101', 'FAM0102', 'FAM0103'];

// The columns of Ofsted's List 2 (early help) template, as a council exports it.
const LIST_2 = [
  'Child Unique ID,Gender,Ethnicity,Date of Birth,Age of Child (Years),Assessment start date,Assessment completion date,Organisation completing assessment',
  ...FAMILIES.map((id) => `${id},F,White British,09/03/2016,10,01/09/2026,,Anytown Family Hub`),
].join('\n');

let browser;
before(async () => { browser = await launch(); });
after(async () => { if (browser) await browser.close(); });

/** The number the imports page gives for open cases with no lead practitioner (0 if none). */
async function gaps(page) {
  await page.goto(`${BASE}/imports`);
  await page.getByRole('heading', { name: 'Earlier uploads' }).waitFor();
  const panel = page.getByTestId('lead-gaps');
  if ((await panel.count()) === 0) return 0;
  return Number((await panel.locator('h2').innerText()).match(/^(\d+) open/)[1]);
}

async function uploadLeads(page, csv) {
  await page.goto(`${BASE}/directory`);
  await page.selectOption('#directory-kind', 'leads');
  await page.setInputFiles('#directory-file', { name: 'lead-practitioners.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.locator('[data-testid=directory-upload] button[type=submit]').tap();
  await page.waitForURL(/\/imports\/\d+$/);
}

test('List 2 without allocation columns imports, and its families get a lead practitioner', async () => {
  const context = await browser.newContext({ viewport: TABLET, hasTouch: true });
  const page = await context.newPage();
  await signIn(page, QA);
  await page.waitForURL(`${BASE}/`);
  const before = await gaps(page);

  // Upload List 2 alone, as Ofsted lays it out: checked, staged and applied with no refusal.
  await page.selectOption('#list', '2');
  await page.setInputFiles('#file', { name: 'list-2.csv', mimeType: 'text/csv', buffer: Buffer.from(LIST_2) });
  await page.click('[data-testid=upload-form] button[type=submit]');
  await page.waitForURL(/\/imports\/\d+$/);
  await hydrated(page);
  assert.equal(await page.getByTestId('import-problems').count(), 0);
  const summary = await page.getByTestId('import-summary').innerText();
  assert.match(summary, /New cases\s+3/);
  assert.match(summary, /New cases with no lead practitioner \(not drawn until one is set\)\s+3/);
  await page.locator('#apply').tap();
  await page.getByText('What the upload changed').waitFor();

  // The imports page counts them and leads to them.
  assert.equal(await gaps(page), before + 3);
  // So do the QA home's pool table (a row of its own) and a round waiting to be drawn.
  await page.goto(`${BASE}/`);
  const unknownRow = page.getByTestId('pool-table').getByRole('row', { name: /Team not known/ });
  await unknownRow.waitFor();
  assert.match(await unknownRow.innerText(), /Team not known\s+3\b/);
  assert.equal(await unknownRow.getByRole('link').getAttribute('href'), '/cases?lead=none');
  const round = ok(await call(await session(QA), 'create_round', { month: '2027-05' }), 'create_round');
  await page.goto(`${BASE}/rounds/${round}`);
  assert.equal(await page.getByTestId('without-lead-practitioner').innerText(),
    `${before + 3} open cases have no lead practitioner, so the draw will leave them out. See the cases`);
  await assertAccessible(page, 'the imports page with cases waiting');
  await page.getByRole('link', { name: 'See the cases' }).tap();
  await page.waitForURL(`${BASE}/cases?lead=none`);
  const table = await page.getByTestId('case-table').innerText();
  for (const family of FAMILIES) assert.match(table, new RegExp(`${family}\\s+Family\\s+List 2: Early help\\s+Not known\\s+Not allocated`));
  assert.ok(await page.locator('#lead').isChecked(), 'the filter shows as chosen');
  await assertAccessible(page, 'cases with no lead practitioner');

  // The case page: both fields refused when empty, each named at the field.
  await page.getByRole('link', { name: FAMILIES[0] }).tap();
  await page.waitForURL(/\/cases\/\d+$/);
  await hydrated(page);
  const caseUrl = page.url();
  assert.match(await page.getByTestId('lead-unknown').innerText(), /no lead practitioner, so it is not drawn/);
  await page.getByRole('button', { name: 'Save the lead practitioner' }).tap();
  await page.locator('#lead-team-error').waitFor();
  assert.match(await page.locator('.error-summary').innerText(), /Choose a team for this case[\s\S]*Choose a lead practitioner for this case/);
  assert.match(await page.locator('#lead-worker-error').innerText(), /Choose a lead practitioner for this case/);
  await assertAccessible(page, 'the case page with errors');
  await page.selectOption('#lead-team', { label: 'Early Help North' });
  const worker = await page.locator('#lead-worker option').nth(1).innerText();
  await page.selectOption('#lead-worker', { index: 1 });
  await page.getByRole('button', { name: 'Save the lead practitioner' }).tap();
  await page.getByTestId('lead-unknown').waitFor({ state: 'detached' });
  const record = await page.locator('dl.summary-list').innerText();
  assert.match(record, /Team\s+Early Help North/);
  assert.match(record, new RegExp(`Key worker\\s+${worker}`));
  assert.match(await page.getByTestId('case-history').innerText(), /Team set to Early Help North by /);

  // A Lead practitioners file with problems changes nothing and names each one.
  await uploadLeads(page, `Child Unique ID,Lead Practitioner,Team\n${FAMILIES[1]},${KW},Nowhere Team\n${FAMILIES[2]},${QA},Early Help North\n`);
  const problems = await page.getByTestId('import-problems').innerText();
  assert.match(problems, /Nothing was imported: the file has 2 problems/);
  assert.match(problems, /2\s+Team\s+No team is called Nowhere Team/);
  assert.match(problems, /3\s+Lead Practitioner\s+.* is not a Key worker/i);
  assert.equal(await gaps(page), before + 2);

  // The corrected file sets both; nothing is left waiting.
  await uploadLeads(page, `Child Unique ID,Lead Practitioner,Team\n${FAMILIES[1]},${KW},Early Help North\n${FAMILIES[2]},${KW},early help north\n`);
  await page.getByText('Staff directory: lead practitioners').waitFor();
  assert.equal(await page.getByTestId('import-problems').count(), 0);
  assert.equal(await gaps(page), before);

  // At 320 px the case page still reads and passes axe.
  await page.setViewportSize({ width: 320, height: 800 });
  await page.goto(caseUrl);
  await page.getByTestId('case-heading').waitFor();
  await assertAccessible(page, 'the case page at 320 px');
  await context.close();
});

test('before the WebAssembly loads, the case page form still saves and shows its errors', async () => {
  const context = await browser.newContext({ viewport: TABLET, hasTouch: true, javaScriptEnabled: false });
  const page = await context.newPage();
  await signIn(page, QA);
  await page.waitForURL(`${BASE}/`);
  await page.goto(`${BASE}/imports`);
  await page.selectOption('#list', '2');
  await page.setInputFiles('#file', { name: 'list-2.csv', mimeType: 'text/csv', buffer: Buffer.from(LIST_2.replaceAll('FAM01', 'FAM02')) });
  await page.click('[data-testid=upload-form] button[type=submit]');
  await page.waitForURL(/\/imports\/\d+$/);
  await page.locator('#apply').click();
  await page.getByText('What the upload changed').waitFor();
  await page.goto(`${BASE}/cases?lead=none`);
  await page.getByRole('link', { name: 'FAM0201' }).click();
  await page.waitForURL(/\/cases\/\d+$/);
  const caseUrl = page.url();
  await page.getByRole('button', { name: 'Save the lead practitioner' }).click();
  await page.locator('#lead-team-error').waitFor();
  assert.match(await page.locator('#lead-worker-error').innerText(), /Choose a lead practitioner for this case/);
  await page.goto(caseUrl);
  await page.selectOption('#lead-team', { label: 'Early Help North' });
  await page.selectOption('#lead-worker', { index: 1 });
  await page.getByRole('button', { name: 'Save the lead practitioner' }).click();
  await page.waitForLoadState('load');
  await page.goto(caseUrl);
  assert.match(await page.locator('dl.summary-list').innerText(), /Team\s+Early Help North/);
  assert.equal(await page.getByTestId('lead-unknown').count(), 0);
  await context.close();
});
