// A council goes live on an empty database, following the README's "Going live" section:
// the first Administrator is made on the command line, follows their link, sets a password,
// adds the teams, imports the staff file and invites the QA Manager, who follows their link,
// signs in and uploads an Annex A workbook whose workers all map to the imported staff.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawn, execFileSync } = require('node:child_process');
const { BASE, launch, hydrated, tablet, quiet } = require('./helpers');

const ROOT = path.join(__dirname, '..', '..');
const FIXTURES = path.join(__dirname, '..', 'fixtures');
const PASSWORD = 'kettle marble lantern';

/** The shell lines of the README's "Going live" block: its settings and its commands. */
function goingLive() {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.split('\n## Going live')[1].split('\n## ')[0];
  const block = section.split('```sh\n')[1].split('```')[0];
  const lines = block.split('\n').map((l) => l.trim()).filter(Boolean);
  const settings = lines.find((l) => l.startsWith('export '));
  const createAdmin = lines.find((l) => l.startsWith('scripts/serve') && l.includes('create-admin'));
  const serve = lines.find((l) => l.startsWith('scripts/serve') && !l.includes('create-admin'));
  assert.ok(settings && createAdmin && serve, `the README's Going live block has settings, create-admin and serve:\n${block}`);
  const adminEmail = createAdmin.match(/--email (\S+)/)[1];
  const adminName = createAdmin.match(/--name "([^"]+)"/)[1];
  return { settings, createAdmin, serve, adminEmail, adminName };
}

/** The README's settings, then this machine's (a temp database, the test port, plain HTTP, the debug build). */
function script(readme, command) {
  const port = new URL(BASE).port;
  return [
    'set -e',
    `cd ${JSON.stringify(ROOT)}`,
    readme.settings,
    `export DATA_DIR=${JSON.stringify(process.env.E2E_DATA_DIR || fs.mkdtempSync('/tmp/going-live-'))}`,
    `export PUBLIC_URL=${BASE} LEPTOS_SITE_ADDR=127.0.0.1:${port} SECURE_COOKIES=0 SERVE_PROFILE=debug RUST_LOG=info`,
    command,
  ].join('\n');
}

async function setPassword(page, link, password) {
  await page.goto(link);
  await hydrated(page);
  await page.fill('#password', password);
  await page.locator('[data-testid=set-password-form] button[type=submit]').tap();
}

async function signIn(page, email, password) {
  await page.fill('#email', email);
  await page.fill('#password', password);
  await page.locator('[data-testid=sign-in-form] button[type=submit]').tap();
  await page.waitForURL(`${BASE}/`);
}

test('a council goes live from an empty database to its first Annex A upload', async () => {
  const readme = goingLive();
  const created = execFileSync('bash', ['-c', script(readme, readme.createAdmin)], { encoding: 'utf8' });
  const adminLink = created.match(/https?:\/\/\S+\/set-password\?token=[0-9a-f]+/)[0];
  assert.ok(adminLink.startsWith(BASE), adminLink);

  const server = spawn('bash', ['-c', script(readme, `exec ${readme.serve}`)], { detached: true });
  let log = '';
  server.stdout.on('data', (d) => { log += d; });
  server.stderr.on('data', (d) => { log += d; });
  const browser = await launch();
  try {
    for (let i = 0; i < 100; i += 1) {
      try { if ((await fetch(`${BASE}/healthz`)).ok) break; } catch { /* not up yet */ }
      await new Promise((r) => setTimeout(r, 200));
    }

    // The first Administrator: a weak password is refused at the field, a good one set.
    const admin = await tablet(browser);
    const page = admin.page;
    await setPassword(page, adminLink, 'password1234');
    await page.getByTestId('error-summary').waitFor();
    assert.match(await page.locator('#password-error').innerText(), /too common/);
    await page.fill('#password', PASSWORD);
    await page.locator('[data-testid=set-password-form] button[type=submit]').tap();
    await page.waitForURL(/\/sign-in\?done=password-set/);
    await hydrated(page);
    assert.match(await page.getByTestId('password-done').innerText(), /Your password is set/);
    await signIn(page, readme.adminEmail, PASSWORD);
    // The link works once.
    const reused = await admin.context.newPage();
    await reused.goto(adminLink);
    assert.match(await reused.getByTestId('link-refused').innerText(), /already been used/);
    await reused.close();

    // Teams, then staff from the HR system.
    await page.goto(`${BASE}/directory`);
    await hydrated(page);
    await page.setInputFiles('#directory-file', path.join(FIXTURES, 'going-live-teams.csv'));
    await page.locator('[data-testid=directory-upload] button[type=submit]').tap();
    await page.waitForURL(/\/imports\/\d+$/);
    await page.goto(`${BASE}/people`);
    await hydrated(page);
    await page.setInputFiles('#staff-file', path.join(FIXTURES, 'going-live-staff.csv'));
    await page.locator('[data-testid=staff-upload] button[type=submit]').tap();
    await page.waitForURL(/\/people\/imports\/\d+$/);
    const staff = fs.readFileSync(path.join(FIXTURES, 'going-live-staff.csv'), 'utf8').trim().split('\n').length - 1;
    assert.match(await page.getByTestId('staff-summary').innerText(), new RegExp(`^${staff} added, 0 updated, 0 unchanged`));

    // The QA Manager is invited from their page.
    await page.goto(`${BASE}/people?search=quinn`);
    await hydrated(page);
    await page.getByRole('link', { name: 'Quinn Adeyemi' }).tap();
    await page.waitForURL(/\/people\/\d+$/);
    await hydrated(page);
    await page.getByRole('button', { name: 'Send invitation' }).tap();
    await page.getByTestId('person-done').waitFor();
    await quiet(page);
    assert.match(await page.getByTestId('person-history').innerText(), new RegExp(`Invitation sent\\s+${readme.adminName}`));
    await admin.context.close();

    // With no SMTP server, the log has the link (as the README says).
    const links = [...log.matchAll(/written here instead of emailed: (\S+)/g)].map((m) => m[1]);
    assert.equal(links.length, 1, log);
    const qa = await tablet(browser);
    await setPassword(qa.page, links[0], PASSWORD);
    await qa.page.waitForURL(/\/sign-in\?done=password-set/);
    await hydrated(qa.page);
    await signIn(qa.page, 'quinn.adeyemi@council.example', PASSWORD);

    // Annex A: every team and worker is known, so it applies with no mapping.
    await qa.page.goto(`${BASE}/imports`);
    await hydrated(qa.page);
    await qa.page.setInputFiles('#file', path.join(FIXTURES, 'annex-a-small.xlsx'));
    await qa.page.click('[data-testid=upload-form] button[type=submit]');
    await qa.page.waitForURL(/\/imports\/\d+$/);
    await hydrated(qa.page);
    await qa.page.locator('#apply').waitFor();
    assert.equal(await qa.page.getByRole('button', { name: /^Add ".*" as a new/ }).count(), 0, 'nothing to map by hand');
    assert.match(await qa.page.getByTestId('import-summary').innerText(), /New cases\s+16/);
    await qa.page.locator('#apply').tap();
    await qa.page.getByText('What the upload changed').waitFor();
    await qa.context.close();
  } finally {
    await browser.close();
    try { process.kill(-server.pid, 'SIGINT'); } catch { /* already gone */ }
  }
});
