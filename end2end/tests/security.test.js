// Security as staff meet it, on a tablet: the QA Manager sees who has seen a case and
// searches the access log (bad input named at the field); a key worker has neither; the
// idle warning offers Stay signed in and signs out when time is up; Sign out everywhere;
// the Administrator's change to a team's manager waits for the QA Manager; and no page
// breaks its content security policy.
const test = require('node:test');
const assert = require('node:assert/strict');
const { BASE, launch, hydrated, signIn, tablet, quiet, session, call, cspViolations } = require('./helpers');

const QA = 'qa.manager@anytown.example';
const KW = 'kw.early-help-north.3@anytown.example';
const ADMIN = 'admin@anytown.example';

async function firstCaseOf(email) {
  const cookie = await session(email);
  const reply = await call(cookie, 'list_cases');
  assert.equal(reply.status, 200);
  return reply.json.rows[0].id;
}

test('the QA Manager sees who has seen a case and searches the access log', async () => {
  const caseId = await firstCaseOf(KW);
  const browser = await launch();
  // The key worker opens their case, so there is something to see.
  const kw = await tablet(browser);
  await signIn(kw.page, KW);
  await kw.page.waitForURL(`${BASE}/`);
  await kw.page.goto(`${BASE}/cases/${caseId}`);
  await kw.page.getByTestId('case-heading').waitFor();
  assert.equal(await kw.page.getByTestId('who-has-seen').count(), 0, 'not for a key worker');
  assert.equal(await kw.page.getByRole('link', { name: 'Access log' }).count(), 0);
  const refused = await kw.page.goto(`${BASE}/access-log`);
  assert.equal(refused.status(), 403);

  const { context, page } = await tablet(browser);
  await signIn(page, QA);
  await page.waitForURL(`${BASE}/`);
  await page.goto(`${BASE}/cases/${caseId}`);
  await hydrated(page);
  await page.locator('[data-testid=who-has-seen] summary').tap();
  const table = page.locator('[data-testid=who-has-seen] [data-testid=access-table]');
  await table.waitFor();
  const text = await table.innerText();
  assert.match(text, /Open case/);
  assert.match(text, /Done/);

  await page.getByRole('link', { name: 'Access log' }).first().tap();
  await page.waitForURL(`${BASE}/access-log`);
  await hydrated(page);
  await page.getByTestId('access-count').waitFor();
  // Bad input: named in the summary and beside the field, in the page's own address.
  await page.fill('#person', 'Jo');
  await page.locator('form.filters button[type=submit]').tap();
  await page.getByTestId('error-summary').waitFor();
  assert.match(await page.locator('#person-error').innerText(), /Enter a number/);
  await page.getByTestId('error-summary').getByRole('link').first().tap();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'person');
  // A search by case finds the key worker's read.
  await page.fill('#person', '');
  await page.fill('#case', String(caseId));
  await page.locator('form.filters button[type=submit]').tap();
  await page.waitForURL(/case=/);
  const results = page.locator('main [data-testid=access-table]');
  await results.waitFor();
  assert.match(await results.innerText(), new RegExp(`Case ${caseId}`));
  const csv = await page.getByRole('link', { name: 'Download as CSV' }).getAttribute('href');
  assert.match(csv, new RegExp(`^/access-log\\.csv\\?from=.*&case=${caseId}$`));
  // The table scrolls inside its own box at 320 px; the page does not.
  await page.setViewportSize({ width: 320, height: 800 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `page wider than the screen by ${overflow}px`);
  assert.deepEqual(await cspViolations(page), []);
  await context.close();
  await kw.context.close();
  await browser.close();
});

test('the idle warning offers Stay signed in, then signs out when time is up', async () => {
  const browser = await launch();
  const { context, page } = await tablet(browser);
  await page.clock.install();
  await signIn(page, KW);
  await page.waitForURL(`${BASE}/`);
  await hydrated(page);
  // The server says two minutes are left (as it would after 28 idle minutes). The page asks
  // for postcard, so the answer is postcard, as the server's would be: an i64 is a zigzag
  // varint.
  let left = 110;
  const postcardI64 = (n) => {
    const bytes = [];
    let v = n >= 0 ? 2 * n : -2 * n - 1;
    do {
      bytes.push((v & 0x7f) | (v >= 0x80 ? 0x80 : 0));
      v = Math.floor(v / 128);
    } while (v > 0);
    return Buffer.from(bytes);
  };
  await page.route('**/api/session_left', (route) => {
    assert.match(route.request().headers().accept, /application\/x-postcard/);
    return route.fulfill({ status: 200, contentType: 'application/x-postcard', body: postcardI64(left) });
  });
  await page.clock.runFor('28:30');
  const dialog = page.getByTestId('timeout-warning');
  await dialog.waitFor();
  assert.equal(await dialog.getAttribute('role'), 'alertdialog');
  assert.match(await dialog.innerText(), /sign you out in 2 minutes/);
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Stay signed in');
  await page.getByRole('button', { name: 'Stay signed in' }).tap();
  await dialog.waitFor({ state: 'detached' });
  // Left alone again: the warning comes back, then time runs out.
  left = 30;
  await page.clock.runFor('29:00');
  await dialog.waitFor();
  left = 0;
  await page.clock.runFor('02:00');
  await page.waitForURL(`${BASE}/sign-in?done=timed-out`);
  await page.getByTestId('password-done').waitFor();
  assert.match(await page.getByTestId('password-done').innerText(), /signed out because you had not used/);
  await context.close();
  await browser.close();
});

test('Sign out everywhere ends every session of that person', async () => {
  const browser = await launch();
  const email = 'kw.early-help-north.4@anytown.example';
  const other = await tablet(browser);
  await signIn(other.page, email);
  await other.page.waitForURL(`${BASE}/`);
  const { context, page } = await tablet(browser);
  await signIn(page, email);
  await page.waitForURL(`${BASE}/`);
  await page.goto(`${BASE}/account`);
  await hydrated(page);
  await page.locator('[data-testid=sign-out-everywhere-form] button').tap();
  await page.waitForURL(`${BASE}/sign-in?done=signed-out-everywhere`);
  assert.match(await page.getByTestId('password-done').innerText(), /signed out on every device/);
  await other.page.goto(`${BASE}/tray`);
  await other.page.waitForURL(`${BASE}/sign-in`);
  await context.close();
  await other.context.close();
  await browser.close();
});

test("the Administrator's change to a team's manager waits for the QA Manager", async () => {
  const browser = await launch();
  const admin = await tablet(browser);
  await signIn(admin.page, ADMIN);
  await admin.page.waitForURL(`${BASE}/`);
  await admin.page.goto(`${BASE}/directory`);
  await hydrated(admin.page);
  const row = admin.page.locator('[data-testid=teams-table] tbody tr').first();
  const team = await row.locator('th').innerText();
  const select = row.locator('select[name=team_manager_id]');
  const before = await select.inputValue();
  await select.selectOption({ index: 0 }); // None
  await row.getByRole('button', { name: 'Save' }).tap();
  await admin.page.getByTestId('team-saved').waitFor();
  assert.match(await admin.page.getByTestId('team-saved').innerText(), /Proposed/);
  await quiet(admin.page);
  assert.match(await admin.page.getByTestId('waiting-changes').innerText(), new RegExp(team));
  assert.equal(await admin.page.getByRole('button', { name: `Confirm the change to ${team}` }).count(), 0);

  const { context, page } = await tablet(browser);
  await signIn(page, QA);
  await page.waitForURL(`${BASE}/`);
  await page.goto(`${BASE}/directory`);
  await hydrated(page);
  const teamRow = page.locator('[data-testid=teams-table] tbody tr').first();
  assert.equal(await teamRow.locator('select[name=team_manager_id]').inputValue(), before, 'unchanged until confirmed');
  await page.getByRole('button', { name: `Confirm the change to ${team}` }).tap();
  await page.getByTestId('waiting-changes').waitFor({ state: 'detached' });
  await quiet(page);
  assert.equal(await teamRow.locator('select[name=team_manager_id]').inputValue(), '');
  assert.deepEqual(await cspViolations(page), []);
  await context.close();
  await admin.context.close();
  await browser.close();
});
