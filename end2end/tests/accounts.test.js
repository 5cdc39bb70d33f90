// Accounts on a tablet: asking for a reset link (the same answer for any address), changing
// a password (the old one required; signed out everywhere after), and the Administrator
// deactivating a leaver, whose open tab is signed out at once.
const test = require('node:test');
const assert = require('node:assert/strict');
const { BASE, PASSWORD, launch, hydrated, signIn, tablet, quiet } = require('./helpers');

const NEW_PASSWORD = 'kettle marble lantern';

test('forgot password never says whether an account exists, and refuses a malformed address', async () => {
  const browser = await launch();
  const { context, page } = await tablet(browser);
  await page.goto(`${BASE}/sign-in`);
  await hydrated(page);
  await page.getByTestId('forgot-link').tap();
  await page.waitForURL(`${BASE}/forgot-password`);
  await hydrated(page);
  await page.fill('#email', 'not an email');
  await page.locator('[data-testid=forgot-form] button[type=submit]').tap();
  await page.getByTestId('error-summary').waitFor();
  assert.match(await page.locator('#email-error').innerText(), /email address/);
  const answers = [];
  for (const email of ['kw.early-help-north.1@anytown.example', 'nobody.here@anytown.example']) {
    await page.goto(`${BASE}/forgot-password`);
    await hydrated(page);
    await page.fill('#email', email);
    await page.locator('[data-testid=forgot-form] button[type=submit]').tap();
    answers.push(await page.getByTestId('reset-sent').innerText());
  }
  assert.equal(answers[0], answers[1]);
  await context.close();
  await browser.close();
});

test('a key worker changes their password and is signed out everywhere', async () => {
  const browser = await launch();
  const email = 'kw.early-help-south.2@anytown.example';
  const other = await tablet(browser);
  await signIn(other.page, email);
  await other.page.waitForURL(`${BASE}/`);
  const { context, page } = await tablet(browser);
  await signIn(page, email);
  await page.waitForURL(`${BASE}/`);
  await hydrated(page);
  await page.getByRole('link', { name: 'Your account' }).tap();
  await page.waitForURL(`${BASE}/account`);
  await hydrated(page);
  await page.fill('#current', 'not my password');
  await page.fill('#password', NEW_PASSWORD);
  await page.locator('[data-testid=change-password-form] button[type=submit]').tap();
  await page.getByTestId('error-summary').waitFor();
  assert.match(await page.locator('#current-error').innerText(), /not right/);
  await page.fill('#current', PASSWORD);
  await page.fill('#password', 'short');
  await page.locator('[data-testid=change-password-form] button[type=submit]').tap();
  await page.locator('#password-error').waitFor();
  assert.match(await page.locator('#password-error').innerText(), /at least 12 characters/);
  await page.fill('#current', PASSWORD);
  await page.fill('#password', NEW_PASSWORD);
  await page.locator('[data-testid=change-password-form] button[type=submit]').tap();
  await page.waitForURL(/\/sign-in\?done=password-changed/);
  assert.match(await page.getByTestId('password-done').innerText(), /signed out everywhere/);
  // The other device's session has ended too.
  await other.page.goto(`${BASE}/tray`);
  await other.page.waitForURL(`${BASE}/sign-in`);
  await signIn(page, email, NEW_PASSWORD);
  await page.waitForURL(`${BASE}/`);
  await context.close();
  await other.context.close();
  await browser.close();
});

test('the Administrator deactivates a leaver: their open tab is signed out and the QA Manager told', async () => {
  const browser = await launch();
  const leaver = await tablet(browser);
  await signIn(leaver.page, 'iro.2@anytown.example');
  await leaver.page.waitForURL(`${BASE}/`);
  await hydrated(leaver.page);

  const { context, page } = await tablet(browser);
  await signIn(page, 'admin@anytown.example');
  await page.waitForURL(`${BASE}/`);
  await hydrated(page);
  await page.getByRole('link', { name: 'People' }).tap();
  await page.waitForURL(`${BASE}/people`);
  await hydrated(page);
  await page.fill('#search', 'iro.2@');
  await page.locator('form[role=search] button[type=submit]').tap();
  await page.waitForURL(/search=iro/);
  await quiet(page);
  assert.match(await page.getByTestId('people-count').innerText(), /^1 person/);
  await page.getByTestId('people-table').getByRole('link').first().tap();
  await page.waitForURL(/\/people\/\d+$/);
  await hydrated(page);
  // Bad input at the field: no roles.
  for (const box of await page.locator('[data-testid=person-roles-form] input[type=checkbox]:checked').all()) {
    await box.uncheck();
  }
  await page.locator('[data-testid=person-roles-form] button[type=submit]').tap();
  await quiet(page);
  await page.getByTestId('error-summary').waitFor();
  assert.match(await page.getByTestId('error-summary').innerText(), /at least one role/);
  await page.getByRole('button', { name: 'Deactivate' }).tap();
  await page.getByTestId('leaver-work').waitFor();
  assert.match(await page.getByTestId('leaver-work').innerText(), /QA Manager has been alerted/);
  await context.close();

  // The leaver's open tab: its stream is closed and the next step asks them to sign in.
  await leaver.page.goto(`${BASE}/tray`);
  await leaver.page.waitForURL(`${BASE}/sign-in`);
  await leaver.context.close();

  const qa = await tablet(browser);
  await signIn(qa.page, 'qa.manager@anytown.example');
  await qa.page.waitForURL(`${BASE}/`);
  await qa.page.goto(`${BASE}/tray`);
  await hydrated(qa.page);
  const alert = qa.page.locator('[data-kind="staff_left"]').first();
  assert.match(await alert.innerText(), /has been deactivated as a leaver/);
  await alert.getByRole('link', { name: 'Open' }).tap();
  await qa.page.waitForURL(/\/people\/\d+\/open-work$/);
  await qa.page.getByTestId('open-work-heading').waitFor();
  assert.ok(await qa.page.getByText('Cases they are IRO / CP Chair of').isVisible());
  await qa.context.close();
  await browser.close();
});

test('without WebAssembly, asking for a reset link still works', async () => {
  const browser = await launch();
  const context = await browser.newContext({ viewport: { width: 768, height: 1024 }, javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${BASE}/forgot-password`);
  await page.fill('#email', 'not an email');
  await page.click('[data-testid=forgot-form] button[type=submit]');
  await page.locator('#email-error').waitFor();
  await page.fill('#email', 'kw.leaving-care.1@anytown.example');
  await page.click('[data-testid=forgot-form] button[type=submit]');
  await page.waitForURL(/\/forgot-password\?sent=1/);
  await page.getByTestId('reset-sent').waitFor();
  await context.close();
  await browser.close();
});

test('the Administrator adds a person (bad input first), finds them by team, and a bad staff file changes nothing', async () => {
  const browser = await launch();
  const { context, page } = await tablet(browser);
  await signIn(page, 'admin@anytown.example');
  await page.waitForURL(`${BASE}/`);
  await page.goto(`${BASE}/people/new`);
  await hydrated(page);
  await page.fill('#name', 'Robin Newcomer');
  await page.fill('#email', 'qa.manager@anytown.example');
  await page.locator('[data-testid=add-person-form] button[type=submit]').tap();
  await page.getByTestId('error-summary').waitFor();
  assert.match(await page.getByTestId('error-summary').innerText(), /at least one role/);
  await page.locator('#role-key_worker').check();
  await page.selectOption('#team', { label: 'Leaving Care' });
  await page.locator('[data-testid=add-person-form] button[type=submit]').tap();
  await quiet(page);
  assert.match(await page.getByTestId('error-summary').innerText(), /already has this work email/);
  await page.fill('#email', 'robin.newcomer@anytown.example');
  await page.locator('[data-testid=add-person-form] button[type=submit]').tap();
  await page.waitForURL(/\/people\/\d+$/);
  await page.getByTestId('person-history').waitFor();
  assert.match(await page.getByTestId('person-history').innerText(), /Invitation sent/);
  assert.match(await page.getByTestId('person-name').innerText(), /Not yet signed in/);

  await page.goto(`${BASE}/people`);
  await hydrated(page);
  await page.selectOption('#team', { label: 'Leaving Care' });
  await page.selectOption('#role', { label: 'Key Worker' });
  await page.locator('form[role=search] button[type=submit]').tap();
  await page.waitForURL(/team=\d+/);
  await quiet(page);
  assert.match(await page.getByTestId('people-table').innerText(), /Robin Newcomer/);

  await page.goto(`${BASE}/people`);
  await hydrated(page);
  const before = await page.getByTestId('people-count').innerText();
  await page.setInputFiles('#staff-file', {
    name: 'hr-export.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from('Name,Work email,Team,Roles\nBo Broken,not-an-email,Nowhere Team,Senior Practitioner\n'),
  });
  await page.locator('[data-testid=staff-upload] button[type=submit]').tap();
  await page.waitForURL(/\/people\/imports\/\d+$/);
  const problems = await page.getByTestId('staff-problems').innerText();
  assert.match(problems, /Nothing was imported: the file has 3 problems/);
  assert.match(problems, /Nowhere Team/);
  await page.goto(`${BASE}/people`);
  await page.getByTestId('people-count').waitFor();
  assert.equal(await page.getByTestId('people-count').innerText(), before, 'nobody was added');
  await context.close();
  await browser.close();
});
