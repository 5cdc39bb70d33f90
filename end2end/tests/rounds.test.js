// The QA Manager creates a round, draws it with quotas, and verifies the draw.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { BASE, TABLET, launch, hydrated, signIn } = require('./helpers');

let browser;
before(async () => { browser = await launch(); });
after(async () => { if (browser) await browser.close(); });

test('the QA Manager creates a round, draws it and verifies the draw, on a tablet', async () => {
  const context = await browser.newContext({ viewport: TABLET, hasTouch: true });
  const page = await context.newPage();
  await signIn(page, 'qa.manager@anytown.example');
  await page.waitForURL(`${BASE}/`);
  await page.getByRole('link', { name: 'Rounds' }).click();
  await page.waitForURL(`${BASE}/rounds`);
  await hydrated(page);

  // Bad input first: a month that is already taken is named beside the field.
  await page.fill('#month', '2026-08');
  await page.click('[data-testid=create-round] button[type=submit]');
  await page.waitForURL(/\/rounds\/\d+$/);
  assert.equal(await page.getByTestId('round-heading').innerText(), 'August 2026');
  assert.equal(await page.getByTestId('due-on').innerText(), 'Friday 28 August 2026');
  await page.goto(`${BASE}/rounds`);
  await hydrated(page);
  await page.fill('#month', '2026-08');
  await page.click('[data-testid=create-round] button[type=submit]');
  await page.locator('#month-error').waitFor();
  assert.match(await page.locator('#month-error').innerText(), /There is already a round for August 2026/);
  await page.getByTestId('rounds-table').getByRole('link', { name: 'August 2026' }).click();
  await page.getByTestId('draw-form').waitFor();
  await hydrated(page);

  // A quota that is not a number is refused, and nothing is drawn.
  await page.fill('#quota-6', 'five');
  await page.click('[data-testid=draw-form] button[type=submit]');
  await page.getByTestId('error-summary').waitFor();
  assert.match(await page.getByTestId('error-summary').innerText(), /must be a whole number/);

  await page.fill('#quota-6', '5');
  await page.fill('#quota-9', '3');
  await page.click('[data-testid=draw-form] button[type=submit]');
  await page.getByTestId('seed').waitFor();
  assert.match(await page.getByTestId('seed').innerText(), /^[0-9a-f]{64}$/);
  assert.equal(await page.getByTestId('draw-form').count(), 0, 'a drawn round cannot be drawn again');
  await page.getByRole('button', { name: 'Verify this draw' }).click();
  await page.getByTestId('verify-result').waitFor();
  assert.match(await page.getByTestId('verify-result').innerText(), /Verified.*same 8 cases/);

  // Withdraw a case: a reason is needed, then a replacement comes from the same list.
  const first = page.locator('details.details').first();
  await first.locator('summary').tap();
  await first.getByRole('button', { name: 'Withdraw and replace' }).tap();
  await page.locator('details.details .error-message').first().waitFor();
  assert.match(await page.locator('details.details .error-message').first().innerText(), /Enter why the case is withdrawn/);
  const reopened = page.locator('details.details[open]').first();
  await reopened.getByLabel('Reason').fill('The case closed this week');
  await reopened.getByRole('button', { name: 'Withdraw and replace' }).tap();
  await page.getByText('Replacement', { exact: true }).waitFor();
  assert.match(await page.getByText(/^5 of 5 asked for/).innerText(), /5 of 5/);
  await context.close();
});
