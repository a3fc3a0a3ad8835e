// The web console (issue 23, docs/console.md) in headless Chromium (Debian's, driven by
// playwright-core) on the real server: an anonymous browser is sent to the login page and
// back; each role signs in there and sees the pages and actions the API's
// /api/users/.../actions allow it, and no other; every page passes axe-core with no serious or
// critical violation, makes no request off the server and breaks no rule of its
// Content-Security-Policy; it works at 1280x800 and 768 px wide and from the keyboard.
// AUTOMATION_SCREENSHOTS=1 writes the pages' screenshots to docs/images/.
// Usage: node console_browser.cjs <automation binary>
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { requireToolOrSkip, skipOrFail, startServer, checks } = require('./server.cjs');

const kChromium = process.env.AUTOMATION_CHROMIUM || '/usr/bin/chromium';
const kSystemPassword = 'Js-Test-Sys7em-Pass';
const kPassword = 'Console-Browser-Passw0rd';
const kImages = path.resolve(__dirname, '..', '..', 'docs', 'images');
const kCsp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
  + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

async function api(base, method, pathname, body, key) {
  const headers = { 'Content-Type': 'application/json' };
  if (key) headers['X-API-KEY'] = key;
  const response = await fetch(`${base}${pathname}`, { method, headers, body: body && JSON.stringify(body) });
  return { status: response.status, json: await response.json().catch(() => ({})) };
}

// The people of the test: one per role the console distinguishes.
const kPeople = {
  ada: { role: 'admin' },
  aud: { role: 'auditor' },
  otto: { role: 'operator' },
};

// A browser context signed in as `username` through the login page, the way a person does:
// /console/ sends it to /login?rd=/console/, which sends it back once signed in.
async function signIn(browser, base, username, password, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const problems = watch(page, base);
  await page.goto(`${base}/console/`);
  await page.waitForURL(/\/login\?rd=\/console\/$/);
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('button[type=submit]');
  await page.waitForURL(`${base}/console/`);
  await page.waitForSelector('main h1');
  return { context, page, problems };
}

// Requests that leave the server, CSP violations and script errors of a page.
function watch(page, base) {
  const problems = [];
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(base) && !url.startsWith('data:')) problems.push(`outside request ${url}`);
  });
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(`CSP: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`script error: ${error.message}`));
  return problems;
}

// axe-core's serious and critical violations on the page as it is now. The script is run
// through the DevTools protocol (page.evaluate), which the page's CSP does not govern, so the
// console's own policy stays as strict as it is served.
async function axeViolations(page, axeSource) {
  await page.evaluate(axeSource);
  const results = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

async function screenshot(page, name) {
  if (process.env.AUTOMATION_SCREENSHOTS !== '1') return;
  fs.mkdirSync(kImages, { recursive: true });
  await page.screenshot({ path: path.join(kImages, `console-${name}.png`) });
}

// The Users page as `username`: the list, and for each user opened only the actions the API
// allows; the admin's actions are carried out and a refusal shows the API's message.
async function usersPage(page, username, mine, keys, axeSource, check) {
  await page.click('nav >> text=Users');
  await page.waitForSelector('[data-testid=users] tbody tr');
  const listed = await page.locator('[data-testid=users] tbody td:first-child').allInnerTexts();
  check(['ada', 'aud', 'otto'].every((name) => listed.includes(name)) && !listed.includes('system'),
    `${username}: the list ${listed.join(', ')}`);
  check((await page.locator('text=Create a user').count()) === (mine.create_users ? 1 : 0),
    `${username}: "Create a user" offered exactly when create_users`);
  const open = async (target) => {
    await page.click(`button[aria-label="Open ${target}"]`);
    await page.waitForSelector(`#user-heading:has-text("User ${target}")`);
    await page.waitForFunction(() => document.querySelector('[data-testid=user-panel] .actions') !== null);
  };
  const buttons = () => page.locator('[data-testid=user-panel] button').allInnerTexts();
  if (username === 'ada') {
    await open('otto');
    const offered = await buttons();
    for (const action of ['Unlock', 'Reset password', 'Delete', 'Change role', 'Save', 'End all sessions']) {
      check(offered.includes(action), `ada on otto: ${action} offered (${offered.join(', ')})`);
    }
    await page.click('[data-testid=user-panel] button:text-is("Unlock")');
    await page.waitForSelector('[data-testid=user-panel] [role=status]:has-text("Account unlocked")');
    // A refusal: the API's own message, nothing changed.
    await page.fill('[data-testid=user-panel] input[name=new_password]', 'x');
    await page.click('[data-testid=user-panel] button:text-is("Reset password")');
    const refusal = await page.locator('[data-testid=user-panel] [role=alert]').innerText();
    check(/password/i.test(refusal), `a weak password is refused with the API's message: ${refusal}`);
    const violations = await axeViolations(page, axeSource);
    check(violations.length === 0, `ada, Users: axe ${violations.join('; ')}`);
    await screenshot(page, 'users');
    await page.click('[data-testid=user-panel] button:text-is("End all sessions")');
    await page.waitForSelector('[data-testid=user-panel] [role=status]:has-text("Every session ended")');
    const ottoKey = await fetch(`${page.url().replace(/\/console\/.*$/, '')}/api/users/me`, { headers: { 'X-API-KEY': keys.otto } });
    check(ottoKey.status === 401, `otto's sessions ended: his key answers ${ottoKey.status}`);
    // Create a user, then delete it (confirmed in the browser's dialog).
    await page.click('text=Create a user');
    await page.fill('details input[name=username]', 'neo');
    await page.fill('details input[name=email]', 'neo@plant.example');
    await page.fill('details input[name=password]', 'Console-Neo-Passw0rd');
    await page.selectOption('select[name=role_name]', 'operator');
    await page.click('button:text-is("Create")');
    await page.waitForSelector('[role=status]:has-text("User neo created")');
    await page.waitForSelector('button[aria-label="Open neo"]');
    await open('neo');
    page.once('dialog', (dialog) => dialog.accept());
    await page.click('[data-testid=user-panel] button:text-is("Delete")');
    await page.waitForSelector('[data-testid=user-panel] [role=status]:has-text("User neo deleted")');
    await page.waitForSelector('button[aria-label="Open neo"]', { state: 'detached' });
  } else {
    await open('ada');
    const offered = await buttons();
    check(offered.join(',') === 'Close', `${username} on ada: nothing offered but Close (${offered.join(', ')})`);
    check((await page.locator('text=Your role may not change this user.').count()) === 1, `${username} on ada: says so`);
    const violations = await axeViolations(page, axeSource);
    check(violations.length === 0, `${username}, Users: axe ${violations.join('; ')}`);
  }
}

// The Users page's first page with 100,000 users, as the browser sees it: printed, not
// asserted (timing depends on the machine).
async function timeLargeList(browser, server, check) {
  const started = Date.now();
  execFileSync('python3', [path.resolve(__dirname, '..', '..', 'bench', 'seed.py'), server.dbFile, '100000',
    path.join(path.dirname(server.dbFile), 'seed-keys.txt')]);
  console.log(`seeded 100000 users in ${Date.now() - started} ms`);
  const { context, page } = await signIn(browser, server.base, 'ada', kPassword);
  try {
    const clicked = Date.now();
    await page.click('nav >> text=Users');
    await page.waitForSelector('[data-testid=users] tbody tr');
    const shown = Date.now() - clicked;
    const fetched = await page.evaluate(() => document.body.dataset.usersLoadedMs);
    const total = await page.locator('#list-heading .muted').innerText();
    check(total.includes('100003'), `the list counts every user: ${total}`);
    console.log(`100000 users: first page shown ${shown} ms after the click (its API call ${fetched} ms)`);
  } finally {
    await context.close();
  }
}

async function main() {
  if (!fs.existsSync(kChromium)) skipOrFail(`no browser at ${kChromium} (apt-get install chromium)`);
  const { chromium } = requireToolOrSkip('playwright-core');
  requireToolOrSkip('axe-core');
  const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js',
    { paths: [path.resolve(__dirname, '..', '..', 'tools', 'npm')] }), 'utf8');
  const { check, report } = checks();
  // Cheap password hashing: the test is about the browser, not the KDF.
  const server = await startServer(process.argv[2],
    { AUTOMATION_ARGON2_MEMORY_KIB: '1024', AUTOMATION_ARGON2_ITERATIONS: '1' });
  const base = server.base;
  const browser = await chromium.launch({ executablePath: kChromium, headless: true, args: ['--no-sandbox'] });
  try {
    const system = (await api(base, 'POST', '/api/users/login', { username: 'system', password: kSystemPassword })).json.apiKey;
    for (const [username, { role }] of Object.entries(kPeople)) {
      const signup = await api(base, 'POST', '/api/users/signup',
        { username, email: `${username}@plant.example`, password: kPassword, role_name: role }, system);
      check(signup.status === 200, `signup ${username}: ${signup.status} ${JSON.stringify(signup.json)}`);
    }
    const keys = {};
    for (const username of Object.keys(kPeople)) {
      keys[username] = (await api(base, 'POST', '/api/users/login', { username, password: kPassword })).json.apiKey;
    }
    // A refused sign-in, for the Overview's count.
    await api(base, 'POST', '/api/users/login', { username: 'otto', password: 'wrong-Passw0rd' });

    // --- The files: headers, and no console without a session -------------------------------
    const anonymous = await fetch(`${base}/console/`, { redirect: 'manual' });
    check(anonymous.status === 303 && anonymous.headers.get('location') === '/login?rd=/console/',
      `anonymous /console/: ${anonymous.status} to ${anonymous.headers.get('location')}`);
    const byKey = await fetch(`${base}/console/`, { redirect: 'manual', headers: { 'X-API-KEY': keys.ada } });
    check(byKey.status === 303, `a key header is not a browser session: ${byKey.status}`);
    const cookie = `automation_session=${keys.ada}`;
    const index = await fetch(`${base}/console/`, { headers: { Cookie: cookie } });
    const html = await index.text();
    check(index.status === 200, `/console/ with the cookie: ${index.status}`);
    check(index.headers.get('content-security-policy') === kCsp, `index CSP: ${index.headers.get('content-security-policy')}`);
    check(index.headers.get('referrer-policy') === 'no-referrer', `index Referrer-Policy: ${index.headers.get('referrer-policy')}`);
    check(index.headers.get('x-content-type-options') === 'nosniff', 'index nosniff');
    check(index.headers.get('cache-control') === 'no-cache', `index Cache-Control: ${index.headers.get('cache-control')}`);
    check(!/<script(?![^>]*\bsrc=)[^>]*>/i.test(html), 'the index has no inline script');
    const assets = [...html.matchAll(/(?:src|href)="(\/console\/assets\/[^"]+)"/g)].map((m) => m[1]);
    check(assets.length >= 2, `the index names its script and style sheet: ${assets.join(', ')}`);
    for (const asset of assets) {
      check(/-[A-Za-z0-9_-]{6,}\.(js|css)$/.test(asset), `asset ${asset} has a content hash in its name`);
      const file = await fetch(`${base}${asset}`);
      check(file.status === 200, `${asset}: ${file.status}`);
      check(file.headers.get('cache-control') === 'public, max-age=31536000, immutable',
        `${asset} Cache-Control: ${file.headers.get('cache-control')}`);
      check(file.headers.get('content-security-policy') === kCsp, `${asset} CSP`);
    }
    const missing = await fetch(`${base}/console/assets/nothing-here.js`);
    check(missing.status === 404, `an unknown asset: ${missing.status}`);
    const apiStill = await fetch(`${base}/api/users/me`, { headers: { 'X-API-KEY': keys.ada } });
    check(apiStill.headers.get('cache-control') === 'no-store', 'the API stays no-store');

    // --- What the API says each one may do, and that the routes agree ------------------------
    const mine = {};
    for (const username of Object.keys(kPeople)) {
      mine[username] = (await api(base, 'GET', '/api/users/me/actions', undefined, keys[username])).json.actions;
    }
    check(mine.ada.read_audit && mine.ada.manage_roles && !mine.ada.manage_tpts, `ada's actions ${JSON.stringify(mine.ada)}`);
    check(mine.aud.read_audit && !mine.aud.manage_roles, `aud's actions ${JSON.stringify(mine.aud)}`);
    check(!mine.otto.read_audit && !mine.otto.manage_roles && mine.otto.own_account, `otto's actions ${JSON.stringify(mine.otto)}`);
    for (const actor of Object.keys(kPeople)) {
      for (const target of Object.keys(kPeople)) {
        const actions = await api(base, 'GET', `/api/users/${target}/actions`, undefined, keys[actor]);
        check(actions.status === 200 && actions.json.username === target, `${actor} asks about ${target}: ${actions.status}`);
        // Listing sessions changes nothing: the route must agree with the flag.
        const sessions = await api(base, 'GET', `/api/users/${target}/sessions`, undefined, keys[actor]);
        check((sessions.status === 200) === actions.json.actions.manage_sessions,
          `${actor} on ${target}: manage_sessions ${actions.json.actions.manage_sessions}, the route ${sessions.status}`);
      }
    }
    const hidden = await api(base, 'GET', '/api/users/system/actions', undefined, keys.ada);
    check(hidden.status === 404, `a sudo account is hidden from an admin: ${hidden.status}`);
    const nobody = await api(base, 'GET', '/api/users/nobody/actions', undefined, keys.ada);
    check(nobody.status === 404, `no such user: ${nobody.status}`);
    const noKey = await api(base, 'GET', '/api/users/me/actions');
    check(noKey.status === 401, `without a key: ${noKey.status}`);

    // --- Each role in the browser: Overview -------------------------------------------------
    for (const [username, { role }] of Object.entries(kPeople)) {
      const { context, page, problems } = await signIn(browser, base, username, kPassword);
      try {
        check((await page.textContent('[data-testid=me]')) === username, `${username}: the Overview names the user`);
        const nav = await page.locator('nav a').allInnerTexts();
        check(nav.includes('Overview'), `${username}: the navigation ${nav.join(', ')}`);
        const auditCard = page.locator('[data-testid=failed-logins]');
        if (mine[username].read_audit) {
          await page.waitForFunction(() => /^\d+$/.test(document.querySelector('[data-testid=failed-logins]')?.textContent ?? ''));
          check(Number(await auditCard.textContent()) >= 1, `${username}: the refused sign-in is counted`);
          await page.waitForSelector('#recent-heading');
        } else {
          check((await auditCard.count()) === 0, `${username} (${role}): no audit figures`);
        }
        await page.waitForFunction(() => /^\d+$/.test(document.querySelector('[data-testid=user-count]')?.textContent ?? ''));
        check((await page.textContent('[data-testid=user-count]')) === String(Object.keys(kPeople).length),
          `${username}: the user count`);
        const violations = await axeViolations(page, axeSource);
        check(violations.length === 0, `${username}, Overview: axe ${violations.join('; ')}`);
        if (username === 'ada') {
          await screenshot(page, 'overview');
          await page.emulateMedia({ colorScheme: 'dark' });
          const dark = await axeViolations(page, axeSource);
          check(dark.length === 0, `${username}, Overview (dark): axe ${dark.join('; ')}`);
          await screenshot(page, 'overview-dark');
          await page.emulateMedia({ colorScheme: 'light' });
          // Keyboard: the first Tab reaches the skip link, Enter on it moves into the page.
          await page.keyboard.press('Tab');
          check(await page.evaluate(() => document.activeElement?.textContent === 'Skip to content'),
            'the first Tab reaches "Skip to content"');
          // 768 px wide (a tablet): nothing wider than the window.
          await page.setViewportSize({ width: 768, height: 1024 });
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
          check(overflow <= 0, `at 768 px the page is ${overflow} px too wide`);
          await screenshot(page, 'overview-tablet');
        }
        await usersPage(page, username, mine[username], keys, axeSource, check);
        // Sign out: back on the login page, and the console sends the browser there again.
        await page.click('button:text-is("Sign out")');
        await page.waitForURL(/\/login/);
        await page.goto(`${base}/console/`);
        check(/\/login\?rd=\/console\/$/.test(page.url()), `${username}: signed out, /console/ goes to ${page.url()}`);
        check(problems.length === 0, `${username}: ${problems.join('; ')}`);
      } finally {
        await context.close();
      }
    }
    await timeLargeList(browser, server, check);
  } finally {
    await browser.close();
    check((await server.stop()) === 0, 'the server did not exit 0 on SIGTERM');
  }
  report();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
