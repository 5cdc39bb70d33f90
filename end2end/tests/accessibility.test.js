// Accessibility (WCAG 2.2 A and AA) as each role sees the app. axe-core checks every page a
// role can reach by following the app's own links from their home, at 768×1024 and again
// at 320 px wide, with audits in the states the journeys leave them in (the form open, a
// filed audit). Then keyboard-only journeys for the tray and the audit form, and the
// announcements of live changes and form errors.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const {
  BASE, launch, hydrated, session, call, DOMAINS, slug, ok, tablet, quiet,
  assertAccessible, axeViolations,
  keyWorkerOf, assignedRound,
  discussionHeld,
} = require('./helpers');

let browser;
before(async () => { browser = await launch(); });
after(async () => { if (browser) await browser.close(); });

const NARROW = { width: 320, height: 640 };
const TABLET = { width: 768, height: 1024 };
const DOWNLOAD = /\.(ics|docx|xlsx|pdf|csv|txt)$/;

/** A round of two List 7 audits by auditor.1: one with its form open, one filed. */
async function twoAudits() {
  const { rows } = await assignedRound('2027-01', { quota_7: '2' });
  const auditor = await session('auditor.1@anytown.example');
  const audits = [];
  for (const row of rows) {
    const id = row.audit[0];
    const kw = await keyWorkerOf(row.team, id);
    ok(await call(auditor, 'propose_times', { audit_id: id, time_1: '2030-01-08T10:00' }), 'propose_times');
    const time = ok(await call(kw.cookie, 'audit_detail', { audit_id: id }), 'audit_detail').times[0];
    ok(await call(kw.cookie, 'accept_time', { audit_id: id, time_id: time.id }), 'accept_time');
    audits.push({ id, team: row.team, keyWorker: kw });
  }
  const form = (id, version) => {
    const f = {
      audit_id: id, version: String(version), 'f[overall]': 'good',
      'f[strengths]': 'Warm relationship with the child.',
      'f[action-0]': 'Update the child protection plan with the family',
      'f[owner-0]': 'Key worker', 'f[due-0]': '2027-02-15',
    };
    for (const d of DOMAINS) { f[`f[grade-${d}]`] = 'good'; f[`f[narrative-${d}]`] = `Findings on ${d}.`; }
    return f;
  };
  const [open, filed] = audits;
  let version = ok(await call(auditor, 'audit_detail', { audit_id: open.id }), 'audit_detail').version;
  ok(await call(auditor, 'save_draft', form(open.id, version)), 'save_draft');
  version = ok(await call(auditor, 'audit_detail', { audit_id: filed.id }), 'audit_detail').version;
  ok(await call(auditor, 'save_draft', form(filed.id, version)), 'save_draft');
  await discussionHeld(auditor, filed.id);
  ok(await call(filed.keyWorker.cookie, 'confirm_findings', { audit_id: filed.id, reflection: 'Fair.' }), 'confirm_findings');
  version = ok(await call(auditor, 'audit_detail', { audit_id: filed.id }), 'audit_detail').version;
  ok(await call(auditor, 'complete_audit', form(filed.id, version)), 'complete_audit');
  return { open, filed };
}

/** Where a path's numbers are IDs: pages of one kind are checked once per role. */
const pattern = (path) => path.replace(/\/\d+(?=\/|$)/g, '/:id');

/**
 * Follows the app's own links from `start`, checking each kind of page once at both
 * widths. Returns the patterns checked and every fault found.
 */
async function crawl(page, starts, limit = 60) {
  const seen = new Set();
  const queue = [...starts];
  const faults = [];
  while (queue.length && seen.size < limit) {
    const path = queue.shift();
    // The starting pages are checked as they are (an open and a filed audit differ).
    const kind = starts.includes(path) ? path : pattern(new URL(path, BASE).pathname);
    if (seen.has(kind)) continue;
    seen.add(kind);
    await page.setViewportSize(TABLET);
    const reply = await page.goto(`${BASE}${path}`);
    if (!reply || reply.status() >= 400) continue;
    await hydrated(page).catch((e) => { throw new Error(`${path} did not hydrate: ${e.message}`); });
    await quiet(page);
    for (const size of [TABLET, NARROW]) {
      await page.setViewportSize(size);
      await page.waitForTimeout(100);
      for (const f of await axeViolations(page)) faults.push(`${kind} at ${size.width}px: ${f}`);
    }
    const links = await page.$$eval('a[href]', (as) => as.map((a) => a.getAttribute('href')));
    for (const href of links) {
      if (!href || !href.startsWith('/') || href.startsWith('//')) continue;
      const url = new URL(href, BASE);
      if (DOWNLOAD.test(url.pathname) || url.pathname.startsWith('/api/')) continue;
      if (!seen.has(pattern(url.pathname))) queue.push(url.pathname + url.search);
    }
  }
  return { seen: [...seen], faults };
}

async function signedInTablet(email) {
  const t = await tablet(browser);
  const [name, value] = (await session(email)).split('=');
  await t.context.addCookies([{ name, value, url: BASE }]);
  return t;
}

let audits;

test('every page each role reaches has no WCAG 2.2 A/AA faults, at 768 px and 320 px', async () => {
  audits = await twoAudits();
  const team = slug(audits.open.team);
  const roles = [
    'qa.manager@anytown.example',
    'auditor.1@anytown.example',
    audits.open.keyWorker.email,
    `tm.${team}@anytown.example`,
    'sm.safeguarding@anytown.example',
    'iro.1@anytown.example',
    'ad.1@anytown.example',
    'pit.1@anytown.example',
    'psw@anytown.example',
    'admin@anytown.example',
  ];
  const faults = [];
  const visited = new Set();
  // Signed out: the sign-in pages.
  {
    const { context, page } = await tablet(browser);
    const r = await crawl(page, ['/sign-in', '/forgot-password'], 2);
    faults.push(...r.faults);
    r.seen.forEach((s) => visited.add(s));
    await context.close();
  }
  for (const email of roles) {
    const { context, page } = await signedInTablet(email);
    // The audits' own pages are reached from lists too, but start them here so every role
    // that may open them is checked on them.
    const r = await crawl(page, ['/', `/audits/${audits.open.id}`, `/audits/${audits.filed.id}`]);
    faults.push(...r.faults.map((f) => `${email} ${f}`));
    r.seen.forEach((s) => visited.add(s));
    await context.close();
  }
  console.log(`checked ${visited.size} kinds of page: ${[...visited].sort().join(', ')}`);
  assert.ok(visited.size >= 30, `only ${visited.size} kinds of page were reached`);
  assert.equal(faults.length, 0, `accessibility faults:\n  ${faults.join('\n  ')}`);
});

test('form errors are accessible and take the focus to the error summary', async () => {
  const { context, page } = await tablet(browser);
  await page.goto(`${BASE}/sign-in`);
  await hydrated(page);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('error-summary').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.dataset?.testid), 'error-summary');
  await assertAccessible(page, 'the sign-in page with errors');
  await page.setViewportSize(NARROW);
  await assertAccessible(page, 'the sign-in page with errors, 320 px');
  await context.close();
});

test('the tray by keyboard alone: reach an alert, mark it read, focus stays on the tray', async () => {
  const { context, page } = await signedInTablet(audits.open.keyWorker.email);
  await page.goto(`${BASE}/tray`);
  await hydrated(page);
  await quiet(page);
  const unread = await page.locator('.tray__item--unread').count();
  assert.ok(unread > 0, 'the key worker has unread alerts');
  // Tab from the top of the page until the first "Mark as read" has the focus.
  let found = false;
  for (let i = 0; i < 60 && !found; i += 1) {
    await page.keyboard.press('Tab');
    found = await page.evaluate(() => document.activeElement?.textContent === 'Mark as read');
    if (!found) {
      const visible = await page.evaluate(() => {
        const el = document.activeElement;
        if (!el || el === document.body) return true;
        const s = getComputedStyle(el);
        return s.outlineStyle !== 'none' || s.boxShadow !== 'none';
      });
      assert.ok(visible, 'every focused element shows its focus');
    }
  }
  assert.ok(found, 'Mark as read is reachable by Tab');
  await page.keyboard.press('Enter');
  await page.waitForFunction((n) => document.querySelectorAll('.tray__item--unread').length === n - 1, unread);
  await quiet(page);
  // The focus is not lost to the page's top: it is on the tray or its announcement.
  const where = await page.evaluate(() => document.activeElement?.closest('[data-testid=tray], main')?.tagName || document.activeElement?.tagName);
  assert.notEqual(where, 'BODY', 'focus is kept in the page after marking read');
  await context.close();
});

test('the audit form by keyboard alone: grade, write, save, and a refused answer named', async () => {
  const { context, page } = await signedInTablet('auditor.1@anytown.example');
  await page.goto(`${BASE}/audits/${audits.open.id}`);
  await page.getByTestId('audit-form').waitFor();
  await hydrated(page);
  await quiet(page);
  // Tab to the first grade and choose one with the arrow keys.
  let on = '';
  for (let i = 0; i < 80 && on !== 'grade-voice'; i += 1) {
    await page.keyboard.press('Tab');
    on = await page.evaluate(() => document.activeElement?.id || '');
  }
  assert.equal(on, 'grade-voice', 'the first grade is reachable by Tab');
  const before = await page.inputValue('#grade-voice');
  await page.keyboard.press('ArrowDown');
  assert.notEqual(await page.inputValue('#grade-voice'), before, 'the grade changes by keyboard');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'narrative-voice');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('Typed by keyboard alone.');
  await page.getByText('All changes saved').waitFor({ timeout: 15000 });
  // Too long an answer is refused, named in the summary, and the link takes focus to it.
  await page.focus('#development');
  await page.keyboard.insertText('x'.repeat(10001));
  await page.getByTestId('error-summary').waitFor({ timeout: 15000 });
  await assertAccessible(page, 'the audit form with a refused answer');
  await page.getByTestId('error-summary').getByRole('link').first().focus();
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'development');
  await context.close();
});

test('the tray announces a new alert politely while it is open', async () => {
  const { context, page } = await signedInTablet('auditor.1@anytown.example');
  await page.goto(`${BASE}/tray`);
  await hydrated(page);
  await quiet(page);
  const region = page.getByTestId('tray-announcement');
  assert.equal(await region.getAttribute('aria-live'), 'polite');
  // The QA Manager assigns the auditor another audit: their open tray says so.
  await assignedRound('2027-02', { quota_7: '1' });
  await page.waitForFunction(() => /new alert/i.test(document.querySelector('[data-testid=tray-announcement]')?.textContent || ''), null, { timeout: 15000 });
  await context.close();
});
