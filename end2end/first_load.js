// First load on a council tablet over a poor connection: for the sign-in page, a key
// worker's home and the audit form, the bytes on the wire (compressed, headers included)
// and the time until the page is hydrated, with a cold cache, under a throttled profile:
// 1.6 Mbit/s down, 750 kbit/s up, 150 ms round trip, CPU slowed 4x (DevTools protocol).
//
//   BASE_URL=http://127.0.0.1:3000 node end2end/first_load.js   (against a demo server)
//
// RUNS (default 3) loads each page that many times, each in a new browser context, and
// prints the median. The event stream never finishes, so only its headers would count: it
// is left out. Prints one JSON line per page after the table, for scripts to read.
const assert = require('node:assert/strict');
const {
  BASE, launch, session, call, keyWorkerOf, assignedRound,
} = require('./tests/helpers');

const RUNS = Number(process.env.RUNS || 3);
const THROTTLE = {
  offline: false,
  latency: 150,
  downloadThroughput: (1.6 * 1000 * 1000) / 8,
  uploadThroughput: (750 * 1000) / 8,
};

/** An audit assigned to auditor.1 with its discussion agreed, so its page shows the form. */
async function auditWithForm() {
  const { rows } = await assignedRound('2027-01', { quota_7: '1' });
  const auditId = rows[0].audit[0];
  const { email, cookie } = await keyWorkerOf(rows[0].team, auditId);
  const auditor = await session('auditor.1@anytown.example');
  assert.equal((await call(auditor, 'propose_times', { audit_id: auditId, time_1: '2030-01-08T10:00' })).status, 200);
  const time = (await call(cookie, 'audit_detail', { audit_id: auditId })).json.times[0];
  assert.equal((await call(cookie, 'accept_time', { audit_id: auditId, time_id: time.id })).status, 200);
  return { auditId, keyWorker: email };
}

/** One cold load of `path`, signed in as `email` (or no one): bytes on the wire and ms to hydrated. */
async function load(browser, path, email) {
  const context = await browser.newContext({ viewport: { width: 768, height: 1024 }, hasTouch: true });
  if (email) {
    const [name, value] = (await session(email)).split('=');
    await context.addCookies([{ name, value, url: BASE }]);
  }
  // The app sets this flag once hydrated; the setter notes when, without polling.
  await context.addInitScript(() => {
    let flag = false;
    Object.defineProperty(window, '__practiceAuditHydrated', {
      configurable: true,
      get: () => flag,
      set: (v) => { flag = v; window.__hydratedAt = performance.now(); },
    });
  });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', THROTTLE);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  const files = new Map();
  const urls = new Map();
  cdp.on('Network.responseReceived', (e) => urls.set(e.requestId, {
    url: e.response.url, encoding: e.response.headers['content-encoding'] || e.response.headers['Content-Encoding'] || '',
  }));
  cdp.on('Network.loadingFinished', (e) => {
    const seen = urls.get(e.requestId) || { url: '?', encoding: '' };
    files.set(e.requestId, { ...seen, bytes: e.encodedDataLength });
  });
  await page.goto(`${BASE}${path}`, { waitUntil: 'commit', timeout: 120000 });
  await page.waitForFunction(() => window.__practiceAuditHydrated === true, null, { timeout: 120000, polling: 100 });
  const hydratedMs = await page.evaluate(() => window.__hydratedAt);
  // Whatever the page fetched as it hydrated (its first server function calls) still counts.
  await page.waitForLoadState('networkidle', { timeout: 60000 }).catch(() => {});
  const list = [...files.values()].filter((f) => !f.url.endsWith('/events') && !f.url.startsWith('data:'));
  const bytes = list.reduce((sum, f) => sum + f.bytes, 0);
  await context.close();
  return { bytes, hydratedMs, files: list };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

(async () => {
  const { auditId, keyWorker } = await auditWithForm();
  const pages = [
    { name: 'sign-in page', path: '/sign-in', email: null },
    { name: "key worker's home", path: '/', email: keyWorker },
    { name: 'audit form', path: `/audits/${auditId}`, email: 'auditor.1@anytown.example' },
  ];
  const browser = await launch();
  const results = [];
  try {
    for (const p of pages) {
      const runs = [];
      for (let i = 0; i < RUNS; i += 1) runs.push(await load(browser, p.path, p.email));
      const row = {
        page: p.name,
        bytes: median(runs.map((r) => r.bytes)),
        hydrated_ms: Math.round(median(runs.map((r) => r.hydratedMs))),
        files: runs[0].files.map((f) => `${f.url.replace(BASE, '')} ${f.bytes}${f.encoding ? ` (${f.encoding})` : ''}`),
      };
      results.push(row);
    }
  } finally {
    await browser.close();
  }
  console.log('throttled: 1.6 Mbit/s down, 750 kbit/s up, 150 ms round trip, CPU 4x slower; cold cache');
  console.log(`${'page'.padEnd(20)} ${'on the wire'.padStart(12)} ${'to hydrated'.padStart(12)}   (median of ${RUNS})`);
  for (const r of results) {
    console.log(`${r.page.padEnd(20)} ${`${(r.bytes / 1000).toFixed(1)} KB`.padStart(12)} ${`${(r.hydrated_ms / 1000).toFixed(2)} s`.padStart(12)}`);
  }
  for (const r of results) {
    console.log(`  ${r.page}:`);
    for (const f of r.files) console.log(`    ${f}`);
  }
  for (const r of results) console.log(JSON.stringify({ page: r.page, bytes: r.bytes, hydrated_ms: r.hydrated_ms }));
})().catch((e) => { console.error(e); process.exit(1); });
