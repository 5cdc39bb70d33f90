// The Administrator adds a council closure day, after a mistake.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { BASE, launch, hydrated, signIn } = require('./helpers');

let browser;
before(async () => { browser = await launch(); });
after(async () => { if (browser) await browser.close(); });

test('the Administrator adds a council closure day', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, 'admin@anytown.example');
  await page.waitForURL(`${BASE}/`);
  await page.getByRole('link', { name: 'Calendar' }).click();
  await page.getByTestId('add-closure').waitFor();
  await hydrated(page);
  await page.click('[data-testid=add-closure] button[type=submit]');
  await page.getByTestId('error-summary').waitFor();
  const summary = await page.getByTestId('error-summary').innerText();
  assert.match(summary, /Enter the date/);
  assert.match(summary, /Enter why the council is closed/);
  await page.fill('#day', '2026-12-29');
  await page.fill('#reason', 'Christmas closure');
  await page.click('[data-testid=add-closure] button[type=submit]');
  await page.getByTestId('closure-days').waitFor();
  assert.match(await page.getByTestId('closure-days').innerText(), /Tuesday 29 December 2026\s+Council closure\s+Christmas closure/);
  assert.equal(await page.getByTestId('error-summary').count(), 0);
  await context.close();
});
