// Server functions over HTTP on a named instance (A or B), for the scripts that run
// against two instances at once (instances.js, failover.js).
const assert = require('node:assert/strict');

const PASSWORD = 'demo-audit-2026';

/** Signs in on `base`; the session cookie (valid on every instance). */
async function signIn(base, email) {
  const reply = await fetch(`${base}/api/sign_in`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', origin: base },
    body: new URLSearchParams({ email, password: PASSWORD }),
  });
  if (!reply.ok) throw new Error(`sign in as ${email}: ${reply.status}`);
  return reply.headers.get('set-cookie').split(';')[0];
}

/** Calls a server function on `base`; its JSON answer, failing on anything but 200. */
async function call(base, cookie, name, params = {}) {
  const reply = await fetch(`${base}/api/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', origin: base, cookie },
    body: new URLSearchParams(params),
  });
  const text = await reply.text();
  assert.equal(reply.status, 200, `${name}: ${text}`);
  return text ? JSON.parse(text) : null;
}

module.exports = { PASSWORD, signIn, call };
