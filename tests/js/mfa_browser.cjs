// The login page's code step in a real browser (issues 22 and 24): headless Chromium signs in
// as a user with TOTP through GET /login, gets the code form after the password, is refused a
// wrong code on that form, and is signed in (the session cookie set) by the right one. Every
// code comes from Debian's oathtool, never from the code under test.
// Usage: node mfa_browser.cjs <automation binary>
'use strict';
const fs = require('node:fs');
const { execFileSync } = require('node:child_process');
const { requireToolOrSkip, skipOrFail, startServer, checks } = require('./server.cjs');

const kChromium = process.env.AUTOMATION_CHROMIUM || '/usr/bin/chromium';
const kSystemPassword = 'Js-Test-Sys7em-Pass';
const kPassword = 'Mfa-Browser-Passw0rd';

// The TOTP code of `secret` (base32) at now + offsetSeconds, by oathtool.
function oathtool(secret, offsetSeconds = 0) {
  const at = Math.floor(Date.now() / 1000) + offsetSeconds;
  return execFileSync('oathtool', ['--totp', '-b', '-N', `@${at}`, secret], { encoding: 'utf8' }).trim();
}

async function api(base, method, path, body, key) {
  const headers = { 'Content-Type': 'application/json' };
  if (key) headers['X-API-KEY'] = key;
  const response = await fetch(`${base}${path}`, { method, headers, body: body && JSON.stringify(body) });
  return { status: response.status, json: await response.json().catch(() => ({})) };
}

async function main() {
  if (!fs.existsSync(kChromium)) skipOrFail(`no browser at ${kChromium} (apt-get install chromium)`);
  try {
    execFileSync('oathtool', ['--version'], { stdio: 'ignore' });
  } catch {
    skipOrFail('no oathtool (apt-get install oathtool)');
  }
  const { chromium } = requireToolOrSkip('playwright-core');
  const { check, report } = checks();
  // Cheap password hashing: the test is about the browser, not the KDF.
  const server = await startServer(process.argv[2],
    { AUTOMATION_ARGON2_MEMORY_KIB: '1024', AUTOMATION_ARGON2_ITERATIONS: '1' });
  const browser = await chromium.launch({ executablePath: kChromium, headless: true, args: ['--no-sandbox'] });
  try {
    // mia, an operator, enrolls TOTP through the API as an authenticator app's user would.
    const system = (await api(server.base, 'POST', '/api/users/login', { username: 'system', password: kSystemPassword })).json.apiKey;
    const signup = await api(server.base, 'POST', '/api/users/signup',
      { username: 'mia', email: 'mia@plant.example', password: kPassword, role_name: 'operator' }, system);
    check(signup.status === 200, `signup: ${signup.status}`);
    const mia = (await api(server.base, 'POST', '/api/users/login', { username: 'mia', password: kPassword })).json.apiKey;
    const enrollment = await api(server.base, 'POST', '/api/users/me/mfa/totp', {}, mia);
    check(enrollment.status === 200 && typeof enrollment.json.secret === 'string', `enrollment: ${enrollment.status}`);
    const secret = enrollment.json.secret;
    const confirmed = await api(server.base, 'POST', '/api/users/me/mfa/totp/confirm', { code: oathtool(secret) }, mia);
    check(confirmed.status === 200, `confirm: ${confirmed.status} ${JSON.stringify(confirmed.json)}`);

    // The browser: password first, then the code form.
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${server.base}/login`);
    await page.fill('#username', 'mia');
    await page.fill('#password', kPassword);
    await page.click('button[type=submit]');
    await page.waitForSelector('#code');
    check(!(await page.isVisible('#password')), 'the code form does not ask for the password again');
    const pageText = await page.content();
    check(!pageText.includes(kPassword), 'the code form does not carry the password');
    const cookiesBefore = await page.context().cookies();
    check(!cookiesBefore.some((cookie) => cookie.name === 'automation_session'),
      'no session cookie before the code');

    // A wrong code: the same form again, saying so. (The codes of the steps around now are
    // skipped so that the "wrong" code is really wrong.)
    const near = new Set([-60, -30, 0, 30, 60].map((offset) => oathtool(secret, offset)));
    const wrong = ['000000', '111111', '222222'].find((code) => !near.has(code));
    await page.fill('#code', wrong);
    await page.click('button[type=submit]');
    await page.waitForSelector('text=Wrong code');
    check(await page.isVisible('#code'), 'after a wrong code the code form is shown again');

    // The right code (the next time step: the confirmation used this one, and a code is
    // accepted at most once) signs the browser in.
    await page.fill('#code', oathtool(secret, 30));
    await page.click('button[type=submit]');
    await page.waitForSelector('text=Signed in as');
    const cookies = await page.context().cookies();
    const session = cookies.find((cookie) => cookie.name === 'automation_session');
    check(session !== undefined && session.httpOnly, 'signed in: an HttpOnly session cookie');
    const me = await page.goto(`${server.base}/api/users/me`);
    const meBody = await me.json().catch(() => ({}));
    check(me.status() === 200 && meBody.username === 'mia', `the cookie is mia's session: ${me.status()} ${JSON.stringify(meBody)}`);
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
