// *My audits* on a tablet and at 320 px: newest round first, a page at a time, and a round
// filter that works as a plain form; nonsense in the address shows the first page of all.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const {
  BASE, launch, hydrated, session, tablet, quiet, assertAccessible, assignedRound,
} = require('./helpers');

let browser;
before(async () => { browser = await launch(); });
after(async () => { if (browser) await browser.close(); });

test('My audits: newest round first, 50 to a page, filtered by round', async () => {
  const january = (await assignedRound('2027-01', { quota_7: '51' })).rows.length;
  const february = (await assignedRound('2027-02', { quota_6: '2' })).rows.length;
  const auditor = await session('auditor.1@anytown.example');
  assert.equal(january, 51);

  const { context, page } = await tablet(browser);
  const [name, value] = auditor.split('=');
  await context.addCookies([{ name, value, url: BASE }]);
  await page.goto(`${BASE}/audits`);
  await hydrated(page);
  await quiet(page);
  const count = () => page.getByTestId('audit-count').innerText();
  const rows = page.locator('[data-testid=audits-table] tbody tr');
  assert.equal(await count(), `${january + february} audits · page 1 of 2`);
  assert.equal(await rows.count(), 50);
  assert.match(await rows.first().innerText(), /February 2027/);
  await assertAccessible(page, 'My audits');

  // The next page holds the rest.
  await page.getByRole('link', { name: 'Next page' }).tap();
  await page.waitForURL(/page=2/);
  await quiet(page);
  assert.equal(await rows.count(), january + february - 50);
  assert.match(await rows.last().innerText(), /January 2027/);

  // One round only, by the plain form.
  await page.selectOption('#round', { label: 'January 2027' });
  await page.getByRole('button', { name: 'Show' }).tap();
  await page.waitForURL(/round=January/);
  await quiet(page);
  assert.equal(await count(), `${january} audits · page 1 of 2`);
  assert.doesNotMatch(await page.getByTestId('audits-table').innerText(), /February 2027/);

  // Nonsense in the address: all rounds, the first page.
  await page.goto(`${BASE}/audits?round=Smarch+1999&page=banana`);
  await quiet(page);
  assert.equal(await count(), `${january + february} audits · page 1 of 2`);

  // At 320 px the table scrolls inside its region, not the page.
  await page.setViewportSize({ width: 320, height: 640 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `the page itself scrolls sideways by ${overflow}px`);
  await assertAccessible(page, 'My audits at 320 px');
  await context.close();
});
