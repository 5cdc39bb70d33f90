// The monthly round from start to finish: the QA Manager imports a small Annex A workbook,
// creates next month's round with quotas, draws, verifies, confirms and assigns auditors;
// then the key worker, Team Manager and auditor each find the alert in their tray.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { BASE, TABLET, launch, hydrated, signIn } = require('./helpers');

const WORKBOOK = path.join(__dirname, '..', 'fixtures', 'annex-a-small.xlsx');

let browser;
before(async () => { browser = await launch(); });
after(async () => { if (browser) await browser.close(); });

// As the demo council makes its email addresses from team names.
const slug = (name) => name.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w && w !== 'and').join('-');

async function displayName(email) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, email);
  await page.waitForURL(`${BASE}/`);
  const name = await page.getByTestId('signed-in-name').innerText();
  await context.close();
  return name;
}

async function trayText(email) {
  const context = await browser.newContext({ viewport: TABLET, hasTouch: true });
  const page = await context.newPage();
  await signIn(page, email);
  await page.waitForURL(`${BASE}/`);
  await page.getByRole('link', { name: /My tray/ }).click();
  await page.waitForURL(`${BASE}/tray`);
  const text = await page.getByTestId('tray').innerText();
  await context.close();
  return text;
}

test('import, draw, verify, confirm and assign; everyone involved is told', async () => {
  const auditorName = await displayName('auditor.1@anytown.example');
  const context = await browser.newContext({ viewport: TABLET, hasTouch: true });
  const page = await context.newPage();
  await signIn(page, 'qa.manager@anytown.example');
  await page.waitForURL(`${BASE}/`);

  // Bad input: a file that is not a spreadsheet is refused and nothing is imported.
  await page.getByRole('link', { name: 'Imports' }).click();
  await page.waitForURL(`${BASE}/imports`);
  await page.setInputFiles('#file', { name: 'minutes.xlsx', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4 not a workbook') });
  await page.click('[data-testid=upload-form] button[type=submit]');
  await page.waitForURL(/\/imports\/\d+$/);
  assert.match(await page.getByTestId('import-problems').innerText(), /Nothing was imported[\s\S]*not an Excel workbook/);

  // The real workbook: one team is new to the directory and is added before applying.
  await page.goto(`${BASE}/imports`);
  await page.setInputFiles('#file', WORKBOOK);
  await page.click('[data-testid=upload-form] button[type=submit]');
  await page.waitForURL(/\/imports\/\d+$/);
  await hydrated(page);
  assert.equal(await page.locator('#apply').count(), 0, 'cannot apply with an unknown team');
  await page.getByRole('button', { name: 'Add "Disabled Children\'s Team" as a new team' }).tap();
  await page.locator('#apply').waitFor();
  const summary = await page.getByTestId('import-summary').innerText();
  assert.match(summary, /Cases in the file\s+16/);
  assert.match(summary, /New cases\s+1/);
  await page.locator('#apply').tap();
  await page.getByText('What the upload changed').waitFor();
  assert.match(await page.getByTestId('import-heading').innerText(), /annex-a-small\.xlsx/);

  // Next month's round, with a quota per list and one per team.
  await page.getByRole('link', { name: 'Rounds' }).click();
  await page.waitForURL(`${BASE}/rounds`);
  await hydrated(page);
  await page.fill('#month', '2027-01');
  await page.click('[data-testid=create-round] button[type=submit]');
  await page.waitForURL(/\/rounds\/\d+$/);
  await page.getByTestId('draw-form').waitFor();
  await hydrated(page);
  await page.fill('#quota-7', '2');
  await page.fill('#quota-8', '5'); // more than the list holds: all are taken, and it says so
  await page.getByText('Quotas per team').tap();
  await page.getByLabel("Disabled Children's Team").fill('1');
  await page.click('[data-testid=draw-form] button[type=submit]');
  await page.getByTestId('seed').waitFor();
  await page.getByText('Fewer eligible than the quota: all were taken').first().waitFor();
  await page.getByRole('button', { name: 'Verify this draw' }).tap();
  await page.getByTestId('verify-result').waitFor();
  assert.match(await page.getByTestId('verify-result').innerText(), /Verified.*same 5 cases/);
  // The file's one case with no allocated worker cannot be audited through, so is left out.
  assert.match(await page.getByTestId('unallocated-left-out').innerText(), /1 otherwise eligible case has no key worker/);

  await page.locator('#confirm').tap();
  await page.getByTestId('assign-form').waitFor();
  // The first List 7 case (after the team stratum) goes to auditor.1, chosen by name.
  const caseRow = page.locator('[data-testid=assign-form] tbody tr').nth(1);
  const childId = (await caseRow.locator('td').nth(0).innerText()).trim();
  const team = (await caseRow.locator('td').nth(1).innerText()).trim();
  const select = caseRow.locator('select');
  const value = await select.evaluate((el, name) => [...el.options].find((o) => o.text.startsWith(`${name} (`)).value, auditorName);
  await select.selectOption(value);
  await page.locator('[data-testid=assign-form] button[type=submit]').tap();
  await page.getByTestId('assign-saved').waitFor();
  await context.close();

  const selected = new RegExp(`Case ${childId} is selected for audit in January 2027`);
  assert.match(await trayText(`kw.${slug(team)}.1@anytown.example`), selected, 'the key worker is told');
  assert.match(await trayText(`tm.${slug(team)}@anytown.example`), selected, 'the Team Manager is told');
  assert.match(await trayText('auditor.1@anytown.example'), new RegExp(`You are asked to audit case ${childId}`), 'the auditor is told');
});
