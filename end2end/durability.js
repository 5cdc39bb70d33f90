// Durability under faults: runs the real server, drives writes (Annex A imports, round
// draws, audit draft saves, themes) from several clients at once, and kill -9s it at random
// moments, restarting each time. After every kill it checks that every write the server
// acknowledged (a 200 answer reached the client) is there, and that SQLite's
// `PRAGMA integrity_check` says ok.
//
//   node end2end/durability.js [kills=100] [server=target/debug/server]
//
// Prints a summary line; exits 1 on any lost write or damaged database.
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const KILLS = Number(process.argv[2] || 100);
const SERVER = process.argv[3] || 'target/debug/server';
const PORT = 3210;
const BASE = `http://127.0.0.1:${PORT}`;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'durability-'));
const db = path.join(dir, 'data', 'audit.db');
let seed = Number(process.env.DURABILITY_SEED || Date.now() % 1e9);
const random = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };

function start() {
  const child = spawn(SERVER, ['--demo-without-past'], {
    env: {
      ...process.env,
      DATABASE_URL: `sqlite://${db}`,
      LEPTOS_SITE_ADDR: `127.0.0.1:${PORT}`,
      LEPTOS_SITE_ROOT: 'target/site',
      LEPTOS_SITE_PKG_DIR: 'pkg',
      LEPTOS_OUTPUT_NAME: 'practice-audit',
      LEPTOS_ENV: 'PROD',
      PUBLIC_URL: BASE,
      RUST_LOG: 'error',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  child.exited = new Promise((r) => child.once('exit', r));
  return child;
}

async function healthy() {
  for (let i = 0; i < 300; i += 1) {
    try { if ((await fetch(`${BASE}/healthz`)).ok) return; } catch { /* starting */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the server did not start');
}

async function session(email) {
  const reply = await fetch(`${BASE}/api/sign_in`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', origin: BASE },
    body: new URLSearchParams({ email, password: 'demo-audit-2026' }),
  });
  if (!reply.ok) throw new Error(`sign in ${email}: ${reply.status}`);
  return reply.headers.get('set-cookie').split(';')[0];
}

async function call(cookie, name, params = {}) {
  const reply = await fetch(`${BASE}/api/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', origin: BASE, cookie },
    body: new URLSearchParams(params),
  });
  const text = await reply.text();
  return { status: reply.status, json: text ? JSON.parse(text) : null };
}

async function upload(cookie, childId) {
  const form = new FormData();
  form.set('list', '7');
  const csv = `Child Unique ID,Gender,Date of Birth,Allocated Team,Allocated Worker\n${childId},m,01/02/2015,Early Help North,\n`;
  form.set('file', new Blob([csv], { type: 'text/csv' }), 'list7.csv');
  const reply = await fetch(`${BASE}/api/upload_annex_a`, {
    method: 'POST', headers: { accept: 'application/json', origin: BASE, cookie }, body: form,
  });
  const text = await reply.text();
  return { status: reply.status, json: text ? JSON.parse(text) : null };
}

const acked = { themes: new Set(), imports: new Set(), rounds: new Map(), draft: null };
const checkedImports = new Set();

/** An audit the auditor may save drafts on (set up once, through the server functions). */
async function draftAudit(qa) {
  const round = (await call(qa, 'create_round', { month: '2030-01' })).json;
  await call(qa, 'draw_round', { round_id: round, quota_7: '1' });
  await call(qa, 'confirm_round', { round_id: round });
  const auditor = await session('auditor.1@anytown.example');
  const me = (await call(auditor, 'current_user')).json;
  const row = (await call(qa, 'round_detail', { round_id: round })).json.assignments[0];
  await call(qa, 'assign_auditors', { round_id: round, [`auditor[${row.round_case_id}]`]: String(me.person_id) });
  const id = (await call(qa, 'round_detail', { round_id: round })).json.assignments[0].audit[0];
  const slug = row.team.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w && w !== 'and').join('-');
  let kw = null;
  for (let n = 1; n <= 6 && !kw; n += 1) {
    const c = await session(`kw.${slug}.${n}@anytown.example`).catch(() => null);
    if (c && (await call(c, 'audit_detail', { audit_id: id })).status === 200) kw = c;
  }
  await call(auditor, 'propose_times', { audit_id: id, time_1: '2030-01-08T10:00' });
  const time = (await call(kw, 'audit_detail', { audit_id: id })).json.times[0];
  await call(kw, 'accept_time', { audit_id: id, time_id: time.id });
  return { id, auditor };
}

async function writers(qa, audit, stop) {
  let n = 0;
  const themeWriter = async () => {
    while (!stop.now) {
      n += 1;
      const name = `Durability theme ${seed}-${n}`;
      try {
        const r = await call(qa, 'add_theme', { name });
        if (r.status === 200) acked.themes.add(name);
      } catch { return; }
    }
  };
  const importWriter = async () => {
    while (!stop.now) {
      n += 1;
      try {
        const r = await upload(qa, `DUR${seed}${n}`);
        if (r.status === 200) acked.imports.add(r.json);
      } catch { return; }
    }
  };
  const roundWriter = async () => {
    while (!stop.now) {
      n += 1;
      const year = 2040 + (n % 400);
      const month = `${year}-${String(1 + (n % 12)).padStart(2, '0')}`;
      try {
        const made = await call(qa, 'create_round', { month });
        if (made.status !== 200) continue;
        acked.rounds.set(made.json, false);
        const drawn = await call(qa, 'draw_round', { round_id: made.json, quota_7: '1' });
        if (drawn.status === 200) acked.rounds.set(made.json, true);
      } catch { return; }
    }
  };
  const draftWriter = async () => {
    let version = (await call(audit.auditor, 'audit_detail', { audit_id: audit.id })).json.version;
    while (!stop.now) {
      n += 1;
      const text = `Draft text ${seed}-${n}`;
      try {
        const r = await call(audit.auditor, 'save_draft', { audit_id: audit.id, version: String(version), 'f[strengths]': text });
        if (r.status === 200) { version = r.json; acked.draft = { version, text }; }
        else if (r.status === 409) version = (await call(audit.auditor, 'audit_detail', { audit_id: audit.id })).json.version;
      } catch { return; }
    }
  };
  await Promise.all([themeWriter(), importWriter(), roundWriter(), draftWriter()]);
}

async function check(qa, audit) {
  const lost = [];
  const themes = (await call(qa, 'themes_overview')).json;
  const names = new Set(JSON.stringify(themes).match(/Durability theme [0-9-]+/g) || []);
  for (const t of acked.themes) if (!names.has(t)) lost.push(`theme ${t}`);
  // Every import acknowledged since the last check, and a sample of older ones.
  const older = [...acked.imports].filter((i) => checkedImports.has(i));
  const sample = older.sort(() => random() - 0.5).slice(0, 10);
  for (const i of [...[...acked.imports].filter((i) => !checkedImports.has(i)), ...sample]) {
    if ((await call(qa, 'import_detail', { import_id: i })).status !== 200) lost.push(`import ${i}`);
    checkedImports.add(i);
  }
  const rounds = new Map((await call(qa, 'list_rounds')).json.map((r) => [r.id, r]));
  for (const [id, drawn] of acked.rounds) {
    const r = rounds.get(id);
    if (!r) lost.push(`round ${id}`);
    else if (drawn && (await call(qa, 'round_detail', { round_id: id })).json.draw == null) lost.push(`draw of round ${id}`);
  }
  if (acked.draft) {
    const view = (await call(audit.auditor, 'audit_detail', { audit_id: audit.id })).json;
    if (view.version < acked.draft.version) lost.push(`draft version ${acked.draft.version} (found ${view.version})`);
    if (view.version === acked.draft.version && !JSON.stringify(view).includes(acked.draft.text)) lost.push(`draft text ${acked.draft.text}`);
  }
  return lost;
}

(async () => {
  // Another server on the port would answer in this one's place.
  if (await fetch(`${BASE}/healthz`).then(() => true, () => false)) throw new Error(`port ${PORT} is in use`);
  let server = start();
  await healthy();
  let qa = await session('qa.manager@anytown.example');
  const audit = await draftAudit(qa);
  const started = Date.now();
  let lostTotal = 0;
  for (let k = 1; k <= KILLS; k += 1) {
    const stop = { now: false };
    const running = writers(qa, audit, stop);
    await new Promise((r) => setTimeout(r, 100 + random() * 1400));
    server.kill('SIGKILL');
    stop.now = true;
    await running.catch(() => {});
    await server.exited;
    const integrity = execFileSync('sqlite3', [db, 'PRAGMA integrity_check;']).toString().trim();
    if (integrity !== 'ok') { console.error(`kill ${k}: integrity_check: ${integrity}`); process.exit(1); }
    server = start();
    await healthy();
    qa = await session('qa.manager@anytown.example');
    audit.auditor = await session('auditor.1@anytown.example');
    const lost = await check(qa, audit);
    if (lost.length) { console.error(`kill ${k}: acknowledged but lost: ${lost.join(', ')}`); lostTotal += lost.length; }
  }
  server.kill('SIGKILL');
  const writes = acked.themes.size + acked.imports.size + acked.rounds.size + (acked.draft ? acked.draft.version : 0);
  console.log(`durability: ${KILLS} kill -9s in ${((Date.now() - started) / 1000).toFixed(0)} s, ` +
    `${acked.themes.size} themes, ${acked.imports.size} imports, ${acked.rounds.size} rounds ` +
    `(${[...acked.rounds.values()].filter(Boolean).length} drawn), drafts to version ${acked.draft ? acked.draft.version : 0} ` +
    `acknowledged; ${lostTotal} lost; integrity_check ok after every kill (seed ${process.env.DURABILITY_SEED || 'random'})`);
  fs.rmSync(dir, { recursive: true, force: true });
  process.exit(lostTotal ? 1 : 0);
})().catch((e) => { console.error(e); process.exit(1); });
