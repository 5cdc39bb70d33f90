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
