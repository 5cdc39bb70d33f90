// The README's run command loads the demo council with six months of its past: signed in
// as the QA Manager, a Team Manager, a key worker and an auditor, on a tablet, each finds
// their home, tray and dashboard with something in them. (scripts/test starts this file's
// server with --demo; every other file's starts without the past.)
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { BASE, TABLET, launch, hydrated, signIn, session, call } = require('./helpers');

let browser;
before(async () => { browser = await launch(); });
after(async () => { if (browser) await browser.close(); });

const slug = (name) => name.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w && w !== 'and').join('-');

/** This month's round, one of its cases' key worker and that team's manager. */
async function peopleOfThisMonth() {
  const qa = await session('qa.manager@anytown.example');
  const rounds = (await call(qa, 'list_rounds')).json;
  assert.ok(rounds.length >= 6, `six rounds in the demo (${rounds.length})`);
  const latest = rounds.reduce((a, b) => (a.due_on > b.due_on ? a : b));
  const rows = (await call(qa, 'round_detail', { round_id: latest.id })).json.assignments.rows;
  for (const row of rows) {
    for (let n = 1; n <= 6; n += 1) {
      const email = `kw.${slug(row.team)}.${n}@anytown.example`;
      const cookie = await session(email).catch(() => null);
      if (cookie && (await call(cookie, 'open_case', { case_id: row.case_id })).status === 200) {
        return { keyWorker: email, teamManager: `tm.${slug(row.team)}@anytown.example` };
      }
    }
  }
  throw new Error('no key worker found for this month\'s round');
}

/** Home, tray and dashboard of `email` on a tablet: what each shows. */
async function visit(email, homeCheck) {
  const context = await browser.newContext({ viewport: TABLET, hasTouch: true });
  const page = await context.newPage();
  await signIn(page, email);
  await page.waitForURL(`${BASE}/`);
  await hydrated(page);
  await homeCheck(page);
  // The tray: alerts, not the empty message.
  await page.goto(`${BASE}/tray`);
  await hydrated(page);
  await page.getByTestId('tray').waitFor({ timeout: 10000 });
  assert.ok(await page.getByTestId('tray').locator('li').count() > 0, `${email}: alerts in the tray`);
  assert.equal(await page.getByTestId('tray-empty').count(), 0);
  // The dashboard: figures, with at least one above nought.
  await page.goto(`${BASE}/dashboard`);
  await hydrated(page);
  await page.getByTestId('dashboard-panel').first().waitFor({ timeout: 10000 });
  assert.equal(await page.getByText('No round has been drawn yet.').count(), 0, `${email}: a round on the dashboard`);
  const figures = await page.locator('[data-testid=dashboard-panel] td[data-figure]').allInnerTexts();
  assert.ok(figures.some((f) => Number(f) > 0), `${email}: a figure above nought (${figures.join(', ')})`);
  await context.close();
}

test('the demo council has a past: home, tray and dashboard of four roles are not empty', async () => {
  const { keyWorker, teamManager } = await peopleOfThisMonth();

  await visit('qa.manager@anytown.example', async (page) => {
    await page.getByTestId('qa-home').waitFor();
    await page.getByTestId('pool-table').waitFor();
  });
  await visit(teamManager, async (page) => {
    await page.getByTestId('my-cases').locator('tbody tr').first().waitFor({ timeout: 10000 });
  });
  await visit(keyWorker, async (page) => {
    await page.getByTestId('my-cases').locator('tbody tr').first().waitFor({ timeout: 10000 });
  });
  // An auditor's home lists the audits waiting on them (this month's round is part-way).
  await visit('auditor.1@anytown.example', async (page) => {
    const waiting = page.getByTestId('waiting-panel');
    await waiting.locator('tbody tr').first().waitFor({ timeout: 10000 });
    assert.equal(await page.getByTestId('no-cases').count(), 0);
  });
});

test('the past runs through the whole cycle: moderation, Make A Difference, reports, the newsletter, sessions', async () => {
  const qa = await session('qa.manager@anytown.example');
  const moderation = (await call(qa, 'moderation_home')).json;
  assert.ok(moderation.rounds.some((r) => r.outcomes > 0), 'moderation outcomes recorded');
  const library = (await call(qa, 'difference_library')).json;
  assert.ok(library.published.length >= 1, 'a Make A Difference summary published');
  const reports = (await call(qa, 'reports_overview')).json;
  assert.ok(reports.reports.length >= 1, 'a report written');
  const newsletters = (await call(qa, 'newsletters_overview')).json;
  assert.ok(newsletters[0].length >= 1, 'a newsletter summary written');
  const sessions = (await call(qa, 'sessions_overview')).json;
  assert.ok(sessions.sessions.length >= 4, 'feedback sessions arranged');
  const reviews = (await call(qa, 'action_reviews')).json;
  assert.ok(reviews.reviews.some((r) => r.status === 'Finalised'), 'action reviews finalised');
});
