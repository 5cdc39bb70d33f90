// Load: 200 simulated staff for a bounded time against a running server (on loopback).
// 150 practitioners open their tray, their audits, their case list and a case every few
// seconds with their live stream open; 20 auditors save their audit's draft every few
// seconds; 30 managers (the QA Manager, Team and Service Managers) watch the dashboard
// with their stream open. Reports requests, errors (any answer but 200) and p50/p95/p99
// per function; exits 1 on any error.
//
//   BASE_URL=http://127.0.0.1:3000 LOAD_SECONDS=600 node end2end/load.js
const BASE = process.env.BASE_URL || 'http://127.0.0.1:3000';
const SECONDS = Number(process.env.LOAD_SECONDS || 600);
const PASSWORD = 'demo-audit-2026';
const TEAMS = { 'early-help-north': 5, 'early-help-south': 4, 'assessment-intervention-east': 5,
  'assessment-intervention-west': 4, 'child-protection-court': 4, 'children-in-care-north': 4,
  'children-in-care-south': 4, 'leaving-care': 5 };

const timings = new Map();
const errors = new Map();
let requests = 0;
let stopped = false;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const jitter = (lo, hi) => lo + Math.random() * (hi - lo);

function record(name, ms, ok, detail) {
  requests += 1;
  if (!timings.has(name)) timings.set(name, []);
  timings.get(name).push(ms);
  if (!ok) errors.set(`${name}: ${detail}`, (errors.get(`${name}: ${detail}`) || 0) + 1);
}

// Functions that only read and answer `GET` (their figures revalidated by tag).
const GET_FUNCTIONS = new Set(['dashboard_figures']);

async function call(cookie, name, params = {}, measured = true) {
  const t = performance.now();
  try {
    const query = new URLSearchParams(params);
    const reply = GET_FUNCTIONS.has(name)
      ? await fetch(`${BASE}/api/${name}?${query}`, { headers: { accept: 'application/json', cookie } })
      : await fetch(`${BASE}/api/${name}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', origin: BASE, cookie },
        body: query,
      });
    const text = await reply.text();
    if (measured) record(name, performance.now() - t, reply.status === 200, reply.status);
    return { status: reply.status, json: text ? JSON.parse(text) : null };
  } catch (e) {
    // The cause names the connection's failure (a reset, a refused connection).
    if (measured) record(name, performance.now() - t, false, `${e.message} (${e.cause && (e.cause.code || e.cause.message)})`);
    return { status: 0, json: null };
  }
}

async function page(cookie, path) {
  const t = performance.now();
  try {
    const reply = await fetch(`${BASE}${path}`, { headers: { accept: 'text/html', cookie } });
    await reply.arrayBuffer();
    record(`GET ${path.replace(/\d+/g, ':id')}`, performance.now() - t, reply.status === 200, reply.status);
  } catch (e) { record(`GET ${path}`, performance.now() - t, false, e.message); }
}

async function signIn(email) {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const reply = await fetch(`${BASE}/api/sign_in`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', origin: BASE },
      body: new URLSearchParams({ email, password: PASSWORD }),
    });
    if (reply.ok) return reply.headers.get('set-cookie').split(';')[0];
    // Many sign-ins at once meet the password-check limit: wait as told, as a person would.
    if (reply.status === 429) { await sleep(1000 * Number(reply.headers.get('retry-after') || 1)); continue; }
    throw new Error(`sign in ${email}: ${reply.status}`);
  }
  throw new Error(`sign in ${email}: still busy`);
}

/** Holds the person's live stream open, reading events, until the run ends. */
async function stream(cookie, counters) {
  while (!stopped) {
    const controller = new AbortController();
    try {
      const reply = await fetch(`${BASE}/events`, { headers: { cookie, accept: 'text/event-stream' }, signal: controller.signal });
      if (reply.status !== 200) { record('GET /events', 0, false, reply.status); await sleep(2000); continue; }
      counters.streams += 1;
      const reader = reply.body.getReader();
      const stopper = setInterval(() => { if (stopped) controller.abort(); }, 500);
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        counters.events += (new TextDecoder().decode(value).match(/^id:/gm) || []).length;
      }
      clearInterval(stopper);
    } catch { /* aborted at the end */ }
    if (!stopped) { counters.reconnects += 1; await sleep(1000); }
  }
}

async function inProgressAudits(qa, n) {
  const round = (await call(qa, 'create_round', { month: '2031-03' }, false)).json;
  const drawn = await call(qa, 'draw_round', { round_id: round, quota_7: String(Math.ceil(n / 2)), quota_6: String(Math.ceil(n / 2)) }, false);
  if (drawn.status !== 200) throw new Error(`draw: ${JSON.stringify(drawn.json)}`);
  await call(qa, 'confirm_round', { round_id: round }, false);
  const auditors = [await signIn('auditor.1@anytown.example'), await signIn('auditor.2@anytown.example')];
  const ids = await Promise.all(auditors.map(async (a) => (await call(a, 'current_user', {}, false)).json.person_id));
  const rows = (await call(qa, 'round_detail', { round_id: round }, false)).json.assignments.slice(0, n);
  const form = { round_id: round };
  rows.forEach((row, i) => { form[`auditor[${row.round_case_id}]`] = String(ids[i % 2]); });
  await call(qa, 'assign_auditors', form, false);
  const assigned = (await call(qa, 'round_detail', { round_id: round }, false)).json.assignments;
  const kwSessions = new Map();
  const out = [];
  for (const [i, row] of assigned.slice(0, n).entries()) {
    const id = row.audit[0];
    const auditor = auditors[i % 2];
    const slug = row.team.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w && w !== 'and').join('-');
    let kw = null;
    for (let k = 1; k <= 6 && !kw; k += 1) {
      const email = `kw.${slug}.${k}@anytown.example`;
      if (!kwSessions.has(email)) kwSessions.set(email, await signIn(email).catch(() => null));
      const c = kwSessions.get(email);
      if (c && (await call(c, 'audit_detail', { audit_id: id }, false)).status === 200) kw = c;
    }
    await call(auditor, 'propose_times', { audit_id: id, time_1: '2031-03-10T10:00' }, false);
    const time = (await call(kw, 'audit_detail', { audit_id: id }, false)).json.times[0];
    await call(kw, 'accept_time', { audit_id: id, time_id: time.id }, false);
    out.push({ id, auditor });
  }
  return out;
}

(async () => {
  const counters = { streams: 0, events: 0, reconnects: 0 };
  const qa = await signIn('qa.manager@anytown.example');
  const audits = await inProgressAudits(qa, 20);
  const practitioners = [];
  for (const [team, n] of Object.entries(TEAMS)) for (let k = 1; k <= n; k += 1) practitioners.push(`kw.${team}.${k}@anytown.example`);
  const managers = ['qa.manager@anytown.example', ...Object.keys(TEAMS).map((t) => `tm.${t}@anytown.example`),
    'sm.early-help@anytown.example', 'sm.safeguarding@anytown.example', 'sm.corporate-parenting@anytown.example'];
  const deadline = Date.now() + SECONDS * 1000;
  const users = [];
  const started = Date.now();
  // Staff arrive over the first 30 seconds, as a morning does.
  for (let u = 0; u < 200; u += 1) {
    const arrive = (u / 200) * 30000;
    users.push((async () => {
      await sleep(arrive);
      if (u < 150) {
        const cookie = await signIn(practitioners[u % practitioners.length]);
        const streaming = stream(cookie, counters);
        const cases = (await call(cookie, 'list_cases')).json;
        const own = cases && cases.rows.length ? cases.rows[u % cases.rows.length].id : null;
        while (Date.now() < deadline) {
          await call(cookie, 'my_tray');
          await call(cookie, 'my_audits');
          if (own) await call(cookie, 'open_case', { case_id: own });
          if (Math.random() < 0.1) await page(cookie, '/tray');
          await sleep(jitter(3000, 6000));
        }
        await streaming;
      } else if (u < 170) {
        const audit = audits[(u - 150) % audits.length];
        let version = (await call(audit.auditor, 'audit_detail', { audit_id: audit.id })).json.version;
        let n = 0;
        while (Date.now() < deadline) {
          n += 1;
          const saved = await call(audit.auditor, 'save_draft', {
            audit_id: audit.id, version: String(version), 'f[strengths]': `Draft ${u}-${n}: warm relationship with the child.`,
            'f[narrative-voice]': 'The child\'s views are recorded at every visit. '.repeat(20),
          });
          if (saved.status === 200) version = saved.json;
          await sleep(jitter(3000, 6000));
        }
      } else {
        const cookie = await signIn(managers[u % managers.length]);
        const streaming = stream(cookie, counters);
        while (Date.now() < deadline) {
          await call(cookie, 'dashboard_figures');
          await call(cookie, 'my_dashboard');
          if (Math.random() < 0.2) await page(cookie, '/dashboard');
          await sleep(jitter(5000, 10000));
        }
        await streaming;
      }
    })());
  }
  const ender = setInterval(() => { if (Date.now() >= deadline) { stopped = true; clearInterval(ender); } }, 500);
  await Promise.all(users);
  const seconds = (Date.now() - started) / 1000;
  const pct = (xs, p) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
  console.log(`load: 200 staff for ${seconds.toFixed(0)} s: ${requests} requests (${(requests / seconds).toFixed(1)}/s), ` +
    `${[...errors.values()].reduce((a, b) => a + b, 0)} errors; ${counters.streams} streams opened, ${counters.events} events delivered, ${counters.reconnects} reconnects`);
  console.log('function                     count    p50 ms   p95 ms   p99 ms');
  for (const [name, xs] of [...timings.entries()].sort()) {
    xs.sort((a, b) => a - b);
    console.log(`${name.padEnd(28)} ${String(xs.length).padStart(6)} ${pct(xs, 50).toFixed(1).padStart(9)} ${pct(xs, 95).toFixed(1).padStart(8)} ${pct(xs, 99).toFixed(1).padStart(8)}`);
  }
  for (const [what, n] of errors) console.log(`error ${what}: ${n}`);
  process.exit(errors.size ? 1 : 0);
})().catch((e) => { console.error(e); process.exit(1); });
