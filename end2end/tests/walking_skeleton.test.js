// The walking skeleton's journeys: sign in by role, need-to-know, bad input, tablets, no JavaScript.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { BASE, TABLET, launch, hydrated, signIn } = require('./helpers');

const QA = 'qa.manager@anytown.example';
const KW = 'kw.early-help-north.1@anytown.example';

let browser;
before(async () => { browser = await launch(); });
after(async () => { if (browser) await browser.close(); });

async function newPage(options = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  return { context, page };
}

test('a QA manager signs in and sees the QA home with the Annex A pool', async () => {
  const { context, page } = await newPage();
  await page.goto(`${BASE}/sign-in`);
  await hydrated(page);
  await signIn(page, QA);
  await page.waitForURL(`${BASE}/`);
  await page.getByTestId('qa-home').waitFor();
  assert.match(await page.getByTestId('signed-in-roles').innerText(), /QA Manager/);
  const teamRows = page.locator('[data-testid=pool-table] tbody tr');
  assert.equal(await teamRows.count(), 8);
  assert.match(await page.getByTestId('open-cases').innerText(), /^400 open cases/);
  assert.equal(await page.getByTestId('my-cases').count(), 0);
  await context.close();
});

test('a key worker signs in and sees only the cases allocated to them', async () => {
  const { context, page } = await newPage();
  await signIn(page, KW);
  await page.waitForURL(`${BASE}/`);
  const rows = page.locator('[data-testid=my-cases] [data-testid=case-table] tbody tr');
  await rows.first().waitFor();
  const count = await rows.count();
  assert.ok(count > 0);
  for (let i = 0; i < count; i++) {
    const cells = await rows.nth(i).locator('td').allInnerTexts();
    assert.equal(cells[3], 'Early Help North');
    assert.equal(cells[5], 'Allocated to you');
  }
  assert.equal(await page.getByTestId('qa-home').count(), 0);
  // The Cases page shows the same cases, and its team filter offers only their team.
  await page.goto(`${BASE}/cases`);
  await page.getByTestId('case-count').waitFor();
  assert.match(await page.getByTestId('case-count').innerText(), new RegExp(`^${count} open cases`));
  assert.deepEqual(await page.locator('#team option').allInnerTexts(), ['All teams', 'Early Help North']);
  await context.close();
});

test('a wrong password shows a clear error that does not say which part was wrong', async () => {
  const { context, page } = await newPage();
  await page.goto(`${BASE}/sign-in`);
  await hydrated(page);
  await signIn(page, QA, 'not-the-password');
  const summary = page.getByTestId('error-summary');
  await summary.waitFor();
  assert.match(await summary.innerText(), /There is a problem/);
  assert.match(await summary.innerText(), /email address or password is not right/);
  assert.match(await page.locator('#email-error').innerText(), /email address or password is not right/);
  assert.equal(new URL(page.url()).pathname, '/sign-in');
  // The summary links to the field.
  await summary.locator('a').first().click();
  assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.id), 'email');

  // Empty fields are named one by one.
  await page.fill('#email', '');
  await page.fill('#password', '');
  await page.click('button[type=submit]');
  await page.locator('#password-error').waitFor();
  assert.match(await page.locator('#email-error').innerText(), /Enter your email address/);
  assert.match(await page.locator('#password-error').innerText(), /Enter your password/);
  await context.close();
});

test("a key worker opening another team's case is told the page is not found (404)", async () => {
  const qa = await newPage();
  await signIn(qa.page, QA);
  await qa.page.waitForURL(`${BASE}/`);
  await qa.page.goto(`${BASE}/cases?list=8`);
  const href = await qa.page.locator('[data-testid=case-table] tbody tr a').first().getAttribute('href');
  assert.match(href, /^\/cases\/\d+$/);
  await qa.context.close();

  const { context, page } = await newPage();
  await signIn(page, KW);
  await page.waitForURL(`${BASE}/`);
  const response = await page.goto(`${BASE}${href}`);
  // Refused as if it were not there: IDs cannot be tried to learn which cases exist.
  assert.equal(response.status(), 404);
  await page.getByTestId('not-found').waitFor();
  assert.equal(await page.getByTestId('not-found').innerText(), 'Page not found');
  assert.equal(await page.getByTestId('case-heading').count(), 0);

  // Their own case opens.
  await page.goto(`${BASE}/`);
  await page.locator('[data-testid=case-table] tbody tr a').first().click();
  await page.getByTestId('case-heading').waitFor();
  assert.match(await page.getByTestId('case-heading').innerText(), /^DEMO\d{5}$/);
  await context.close();
});

test('on a tablet the pages fit the screen and sign-out ends the session', async () => {
  const { context, page } = await newPage({ viewport: TABLET, hasTouch: true, isMobile: true });
  await signIn(page, KW);
  await page.waitForURL(`${BASE}/`);
  await page.getByTestId('my-cases').waitFor();
  await hydrated(page);
  const overflow = await page.evaluate(() => document.body.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the tablet`);
  const signOut = page.getByRole('button', { name: 'Sign out' });
  const box = await signOut.boundingBox();
  assert.ok(box.height >= 24, `sign-out target is ${box.height}px high`);
  await signOut.tap();
  await page.waitForURL(`${BASE}/sign-in`);
  await page.goto(`${BASE}/cases`);
  await page.waitForURL(`${BASE}/sign-in`);
  await context.close();
});

test('signing in works before the WebAssembly loads (JavaScript off)', async () => {
  const { context, page } = await newPage({ javaScriptEnabled: false });
  await signIn(page, QA, 'wrong');
  await page.getByTestId('error-summary').waitFor();
  assert.match(await page.getByTestId('error-summary').innerText(), /email address or password is not right/);
  assert.ok(!page.url().includes('qa.manager'), 'no personal data in the URL');
  await signIn(page, QA);
  await page.waitForURL(`${BASE}/`);
  await page.getByTestId('qa-home').waitFor();
  await context.close();
});

test('a stranger is sent to sign in', async () => {
  const { context, page } = await newPage();
  await page.goto(`${BASE}/tray`);
  await page.waitForURL(`${BASE}/sign-in`);
  assert.equal(await page.locator('h1').innerText(), 'Sign in to Practice Audit');
  await context.close();
});
