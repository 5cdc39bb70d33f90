// Shared set-up for the end-to-end tests: Debian's Chromium through playwright-core.
const { chromium } = require('playwright-core');

const BASE = process.env.BASE_URL || 'http://127.0.0.1:3100';
const PASSWORD = 'demo-audit-2026';
const TABLET = { width: 768, height: 1024 };

async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

/** Waits until the WebAssembly has hydrated the page, so clicks go through Leptos. */
async function hydrated(page) {
  await page.waitForFunction(() => window.__practiceAuditHydrated === true, null, { timeout: 15000 });
}

async function signIn(page, email, password = PASSWORD) {
  await page.goto(`${BASE}/sign-in`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await page.click('button[type=submit]');
}

module.exports = { BASE, PASSWORD, TABLET, launch, hydrated, signIn };

/** Server functions over HTTP, for setting up a journey quickly (as the app's own client does). */
async function session(email, password = PASSWORD) {
  const reply = await fetch(`${BASE}/api/sign_in`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({ email, password }),
  });
  if (!reply.ok) throw new Error(`sign in as ${email}: ${reply.status}`);
  return reply.headers.get('set-cookie').split(';')[0];
}

async function call(cookie, name, params = {}) {
  const reply = await fetch(`${BASE}/api/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', cookie },
    body: new URLSearchParams(params),
  });
  const text = await reply.text();
  return { status: reply.status, json: text ? JSON.parse(text) : null };
}

module.exports.session = session;
module.exports.call = call;
