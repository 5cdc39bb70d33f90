// Live trays: an alert raised elsewhere appears in an open tray and in the header's count
// within 2 seconds, without reloading; marking it read in one tab updates the other.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { BASE, TABLET, launch, hydrated, signIn, session, call } = require('./helpers');

let browser;
before(async () => { browser = await launch(); });
after(async () => { if (browser) await browser.close(); });

const slug = (name) => name.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w && w !== 'and').join('-');

/** A drawn (not yet confirmed) round for `month`, its first case and that case's key worker. */
async function drawnRound(qa, month) {
  const round = (await call(qa, 'create_round', { month })).json;
  assert.equal((await call(qa, 'draw_round', { round_id: round, quota_7: '1' })).status, 200);
  const picked = (await call(qa, 'round_detail', { round_id: round })).json.draw.strata[0].selected[0];
  const record = (await call(qa, 'open_case', { case_id: picked.case_id })).json;
  let keyWorker;
  for (let n = 1; n <= 6 && !keyWorker; n += 1) {
    const email = `kw.${slug(picked.team)}.${n}@anytown.example`;
    const cookie = await session(email).catch(() => null);
    if (cookie && (await call(cookie, 'current_user')).json.display_name === record.key_worker) keyWorker = email;
  }
  assert.ok(keyWorker, 'found the key worker');
  return { round, picked, keyWorker };
}

test('a tray and its count update live, and two tabs stay in step', async () => {
  const qa = await session('qa.manager@anytown.example');
  const { round, picked, keyWorker } = await drawnRound(qa, '2027-01');

  const context = await browser.newContext({ viewport: TABLET, hasTouch: true });
  const tab1 = await context.newPage();
  await signIn(tab1, keyWorker);
  await tab1.waitForURL(`${BASE}/`);
  await tab1.goto(`${BASE}/tray`);
  await hydrated(tab1);
  await tab1.getByTestId('live-state').getByText('Live').waitFor({ timeout: 5000 });
  const tab2 = await context.newPage();
  await tab2.goto(`${BASE}/tray`);
  await hydrated(tab2);
  await tab2.getByTestId('live-state').getByText('Live').waitFor({ timeout: 5000 });
  assert.equal(await tab1.getByTestId('unread-count').count(), 0);

  // Confirming the round elsewhere raises the alert.
  assert.equal((await call(qa, 'confirm_round', { round_id: round })).status, 200);
  const selected = new RegExp(`Case ${picked.child_unique_id} is selected for audit`);
  await tab1.getByText(selected).waitFor({ timeout: 2000 });
  await tab1.getByTestId('unread-count').waitFor({ timeout: 2000 });
  assert.equal(await tab1.getByTestId('unread-count').innerText(), '1');
  await tab2.getByText(selected).waitFor({ timeout: 2000 });

  // Read in the second tab: the first tab's count goes within 2 seconds.
  await tab2.getByRole('button', { name: 'Mark as read' }).first().tap();
  await tab1.getByTestId('unread-count').waitFor({ state: 'detached', timeout: 2000 });
  await context.close();
});

// A restart behind a proxy: the proxy answers 502, and the browser gives up on a stream
// answered that way. The tab says it is reconnecting, opens new streams by itself, spaced
// out, and once the server is back catches up with what happened meanwhile.
test('after a proxy\'s 502 the tray reconnects by itself and catches up', async () => {
  const qa = await session('qa.manager@anytown.example');
  const { round, picked, keyWorker } = await drawnRound(qa, '2027-02');
  const context = await browser.newContext({ viewport: TABLET, hasTouch: true });
  const tab = await context.newPage();
  await signIn(tab, keyWorker);
  await tab.waitForURL(`${BASE}/`);
  await hydrated(tab);
  await tab.getByTestId('live-state').getByText('Live').waitFor({ timeout: 5000 });

  // The server is away: every stream asked for is answered 502 by the proxy.
  const tries = [];
  await context.route('**/events**', (route) => {
    tries.push(Date.now());
    return route.fulfill({ status: 502, contentType: 'text/html', body: 'Bad Gateway' });
  });
  await tab.goto(`${BASE}/tray`);
  await hydrated(tab);
  await tab.getByTestId('live-state').getByText('Reconnecting…').waitFor({ timeout: 10000 });
  assert.equal((await call(qa, 'confirm_round', { round_id: round })).status, 200);
  for (let i = 0; i < 100 && tries.length < 3; i += 1) await tab.waitForTimeout(100);
  assert.ok(tries.length >= 3, `new streams were tried (${tries.length})`);
  // Spaced out, not in a tight loop: pauses of half a second or more, growing (1 s, then
  // 2 s, each between half and all of that).
  assert.ok(tries[2] - tries[0] >= 1400, `three tries within ${tries[2] - tries[0]} ms`);
  await tab.getByTestId('live-state').getByText('Reconnecting…').waitFor({ timeout: 1000 });

  // The server is back: the tab is live again and shows the alert raised meanwhile.
  await context.unroute('**/events**');
  await tab.getByTestId('live-state').getByText('Live').waitFor({ timeout: 40000 });
  const selected = new RegExp(`Case ${picked.child_unique_id} is selected for audit`);
  await tab.getByText(selected).waitFor({ timeout: 5000 });
  await context.close();
});
