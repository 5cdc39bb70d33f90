// Two app instances on one PostgreSQL database: a change made through instance A reaches a
// tray open on instance B, and each open stream gets each event exactly once, whichever
// instance holds it. Prints p50, p99 and the slowest of TRIALS (default 20) deliveries.
//
//   A_URL=http://127.0.0.1:3101 B_URL=http://127.0.0.1:3102 node end2end/instances.js
//
// (scripts/test runs it against two servers it starts on its private PostgreSQL.)
const assert = require('node:assert/strict');
const { signIn, call } = require('./instance_api');
const http = require('node:http');

const A = process.env.A_URL || 'http://127.0.0.1:3101';
const B = process.env.B_URL || 'http://127.0.0.1:3102';
const TRIALS = Number(process.env.TRIALS || 20);


/** An open event stream: its events as they arrive ({ id, event, data, at }). */
function openStream(base, cookie) {
  return new Promise((resolve, reject) => {
    const events = [];
    const waiters = [];
    const req = http.get(`${base}/events`, { headers: { cookie, accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) { reject(new Error(`stream: ${res.statusCode}`)); return; }
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        buffer += chunk;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const field = (name) => block.split('\n').find((l) => l.startsWith(`${name}:`))?.slice(name.length + 1).trim();
          if (field('event')) {
            events.push({ id: field('id'), event: field('event'), data: field('data'), at: performance.now() });
            waiters.splice(0).forEach((w) => w());
          }
        }
      });
      resolve({
        events,
        close: () => req.destroy(),
        /** The first event matching `test`, waiting up to `ms`. */
        async first(test, ms) {
          const until = performance.now() + ms;
          for (;;) {
            const found = events.find(test);
            if (found) return found;
            const left = until - performance.now();
            if (left <= 0) return null;
            await new Promise((r) => { waiters.push(r); setTimeout(r, left); });
          }
        },
      });
    });
    req.on('error', reject);
  });
}

const slug = (name) => name.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w && w !== 'and').join('-');
const cookies = new Map();
async function cookieFor(email) {
  if (!cookies.has(email)) cookies.set(email, await signIn(A, email).catch(() => null));
  return cookies.get(email);
}

(async () => {
  const qa = await cookieFor('qa.manager@anytown.example');
  const times = [];
  for (let trial = 0; trial < TRIALS; trial += 1) {
    const month = `${2031 + Math.floor(trial / 12)}-${String((trial % 12) + 1).padStart(2, '0')}`;
    const round = await call(A, qa, 'create_round', { month });
    await call(A, qa, 'draw_round', { round_id: round, quota_7: '1' });
    const picked = (await call(A, qa, 'round_detail', { round_id: round })).draw.strata[0].selected[0];
    const record = await call(A, qa, 'open_case', { case_id: picked.case_id });
    let keyWorker;
    for (let n = 1; n <= 6 && !keyWorker; n += 1) {
      const cookie = await cookieFor(`kw.${slug(picked.team)}.${n}@anytown.example`);
      if (cookie && (await call(A, cookie, 'current_user')).display_name === record.key_worker) keyWorker = cookie;
    }
    assert.ok(keyWorker, 'found the key worker');
    // The key worker has a tab on each instance.
    const onB = await openStream(B, keyWorker);
    const onA = await openStream(A, keyWorker);
    await new Promise((r) => setTimeout(r, 300));
    const text = `Case ${picked.child_unique_id} is selected for audit`;
    const isAlert = (e) => e.event === 'alert' && e.data.includes(text);
    const sent = performance.now();
    await call(A, qa, 'confirm_round', { round_id: round });
    const arrived = await onB.first(isAlert, 5000);
    assert.ok(arrived, `trial ${trial + 1}: the alert reached the tab on B within 5 s`);
    times.push(arrived.at - sent);
    // Anything more would have come by now: each tab has the alert once.
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(onB.events.filter(isAlert).length, 1, 'once on B');
    assert.equal(onA.events.filter(isAlert).length, 1, 'once on A');
    const ids = (s) => s.events.map((e) => e.id);
    assert.equal(new Set(ids(onB)).size, ids(onB).length, 'no event twice on B');
    assert.equal(new Set(ids(onA)).size, ids(onA).length, 'no event twice on A');
    onA.close();
    onB.close();
  }
  times.sort((x, y) => x - y);
  const at = (p) => times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)];
  console.log(`a round confirmed through A, its alert on a tab open on B (${TRIALS} trials): ` +
    `p50 ${at(0.5).toFixed(1)} ms, p99 ${at(0.99).toFixed(1)} ms, slowest ${times[times.length - 1].toFixed(1)} ms; ` +
    'every tab had each event once');
})().catch((e) => { console.error(e); process.exit(1); });
