// The front door behind the real nginx (issue 22): a throw-away nginx (tests/js/nginx.cjs) runs
// the shipped packaging/nginx files in front of the real server and a stand-in PyAutomation
// that checks keys exactly as upstream's verify_tpt does, with Debian's PyJWT
// (tests/support/pyautomation_stand_in.py); headless Chromium signs in through the login page.
// Usage: node front_door_nginx.cjs <automation binary>
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const crypto = require('node:crypto');
const { requireToolOrSkip, skipOrFail, startServer, checks, freePort } = require('./server.cjs');
const { kNginx, shippedConfig, startNginx } = require('./nginx.cjs');

const kChromium = process.env.AUTOMATION_CHROMIUM || '/usr/bin/chromium';
const kPython = '/usr/bin/python3';
const kStandIn = path.resolve(__dirname, '..', 'support', 'pyautomation_stand_in.py');
const kSecret = 'front-door-nginx-test-secret-0123456789abcdef';
const kSystemPassword = 'Js-Test-Sys7em-Pass';
const kPassword = 'Front-Door-Passw0rd';
const kTtl = 3;

async function http(port, method, target, { headers = {}, body } = {}) {
  const response = await fetch(`http://127.0.0.1:${port}${target}`, {
    method, headers, body, redirect: 'manual',
  });
  const text = await response.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: response.status, headers: response.headers, text, json };
}
const jsonBody = (value) => ({ headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(value) });

async function startBackend() {
  const port = await freePort();
  const child = spawn(kPython, [kStandIn, String(port), kSecret], { stdio: ['ignore', 'ignore', 'inherit'] });
  const deadline = Date.now() + 15000;
  for (;;) {
    if (child.exitCode !== null) throw new Error('the stand-in backend exited');
    try {
      if ((await fetch(`http://127.0.0.1:${port}/api/health`)).status === 200) break;
    } catch { /* not yet */ }
    if (Date.now() > deadline) throw new Error('the stand-in backend did not start');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { port, stop: () => child.kill('SIGTERM') };
}

// A WebSocket upgrade through `port` with `headers`; when it is accepted (101), one text frame
// out and the echo back. Resolves { status, echo }.
function websocket(port, headers, text) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = Buffer.alloc(0);
    let status = 0;
    socket.setTimeout(5000, () => { socket.destroy(); reject(new Error('websocket timed out')); });
    socket.on('error', reject);
    socket.on('connect', () => {
      const key = crypto.randomBytes(16).toString('base64');
      const lines = [`GET /socket.io/?EIO=4&transport=websocket HTTP/1.1`, `Host: 127.0.0.1:${port}`,
        'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Key: ${key}`,
        'Sec-WebSocket-Version: 13', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
      socket.write(lines.join('\r\n') + '\r\n\r\n');
    });
    socket.on('data', (chunk) => {
      data = Buffer.concat([data, chunk]);
      if (!status) {
        const end = data.indexOf('\r\n\r\n');
        if (end < 0) return;
        status = Number(data.subarray(0, end).toString().split(' ')[1]);
        data = data.subarray(end + 4);
        if (status !== 101) { socket.destroy(); return resolve({ status }); }
        const payload = Buffer.from(text);
        const mask = crypto.randomBytes(4);
        const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]));
        socket.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]));
      }
      if (status === 101 && data.length >= 2 && data.length >= 2 + (data[1] & 0x7f)) {
        const echo = data.subarray(2, 2 + (data[1] & 0x7f)).toString();
        socket.destroy();
        resolve({ status, echo });
      }
    });
  });
}

async function main() {
  if (!fs.existsSync(kNginx)) skipOrFail(`no nginx at ${kNginx} (apt-get install nginx)`);
  if (spawnSync(kPython, ['-c', 'import jwt']).status !== 0) {
    skipOrFail('no PyJWT for /usr/bin/python3 (apt-get install python3-jwt)');
  }
  if (!fs.existsSync(kChromium)) skipOrFail(`no browser at ${kChromium} (apt-get install chromium)`);
  const { chromium } = requireToolOrSkip('playwright-core');
  const { check, report } = checks();
  const started = Date.now();
  const phase = (name) => console.log(`${((Date.now() - started) / 1000).toFixed(1)} s: ${name}`);

  // Cheap password hashing: the test is about the proxy, not the KDF.
  const service = await startServer(process.argv[2], {
    AUTOMATION_ARGON2_MEMORY_KIB: '1024',
    AUTOMATION_ARGON2_ITERATIONS: '1',
    AUTOMATION_APP_SECRET_KEY: kSecret,
    AUTOMATION_FORWARD_TOKEN_TTL: String(kTtl),
    AUTOMATION_TRUSTED_PROXIES: '127.0.0.1',
  });
  phase('service started');
  const backend = await startBackend();
  const hmi = await freePort();
  const app = await freePort();
  const nginx = await startNginx((dir) => [
    shippedConfig('automation-common.conf', [['server 127.0.0.1:8051;', `server 127.0.0.1:${service.port};`]]),
    shippedConfig('pyautomation.conf', [
      ['server 127.0.0.1:8050;', `server 127.0.0.1:${backend.port};`],
      ['listen 80;', `listen 127.0.0.1:${hmi};`],
      ['/var/log/nginx/pyautomation-access.log', `${dir}/pyautomation-access.log`]]),
    shippedConfig('webapp.conf', [
      ['server 127.0.0.1:3000;', `server 127.0.0.1:${backend.port};`],
      ['listen 80;', `listen 127.0.0.1:${app};`],
      ['/var/log/nginx/webapp-access.log', `${dir}/webapp-access.log`]]),
  ].join('\n'), [hmi, app]);

  const secrets = [];  // keys and minted tokens: never in a log
  let browser;
  try {
    phase('keys');
    // --- a key from this service's login reaches PyAutomation through nginx ---
    const system = (await http(hmi, 'POST', '/api/users/login', jsonBody({ username: 'system', password: kSystemPassword }))).json.apiKey;
    secrets.push(system);
    const signup = await http(hmi, 'POST', '/api/users/signup', {
      headers: { 'Content-Type': 'application/json', 'X-API-KEY': system },
      body: JSON.stringify({ username: 'ana', email: 'ana@plant.example', password: kPassword, role_name: 'operator' }),
    });
    check(signup.status === 200, `signup through nginx: ${signup.status} ${signup.text}`);
    // An admin ends ana's sessions below (sudo manages admins' sessions only).
    const admin = await http(hmi, 'POST', '/api/users/signup', {
      headers: { 'Content-Type': 'application/json', 'X-API-KEY': system },
      body: JSON.stringify({ username: 'boss', email: 'boss@plant.example', password: kPassword, role_name: 'admin' }),
    });
    check(admin.status === 200, `admin signup: ${admin.status}`);
    const bossKey = (await http(hmi, 'POST', '/api/users/login', jsonBody({ username: 'boss', password: kPassword }))).json.apiKey;
    secrets.push(bossKey);
    const login = async () => {
      const answer = await http(hmi, 'POST', '/api/users/login', jsonBody({ username: 'ana', password: kPassword }));
      secrets.push(answer.json.apiKey);
      return answer.json.apiKey;
    };
    const key = await login();
    for (const headers of [{ 'X-API-KEY': key }, { Authorization: `Token ${key}` }, { Authorization: `Bearer ${key}` }]) {
      const tags = await http(hmi, 'GET', '/api/tags/', { headers });
      check(tags.status === 200, `a key reaches PyAutomation (${Object.keys(headers)[0]}): ${tags.status} ${tags.text}`);
      if (tags.status !== 200) continue;
      const { claims } = tags.json;
      check(claims.sub === 'ana' && claims.username === 'ana', `claims name ana: ${JSON.stringify(claims)}`);
      check(claims.role === 'operator' && claims.role_level === 10, `claims carry the role: ${JSON.stringify(claims)}`);
      check(claims.exp - claims.iat === kTtl + 30, `iat is 30 s back, exp TTL ahead: ${JSON.stringify(claims)}`);
      check(Math.abs(claims.exp - kTtl - tags.json.now) <= 2, `exp is TTL from now: ${claims.exp} vs ${tags.json.now}`);
      check(/^[0-9a-f]{32}$/.test(claims.jti), `a random jti: ${claims.jti}`);
      check(tags.json.x_automation_user === 'ana', `X-Automation-User reaches the backend: ${tags.json.x_automation_user}`);
      check(tags.json.authorization === null && tags.json.cookie === null, 'the original key does not reach the backend');
    }
    const spoofed = await http(hmi, 'GET', '/api/tags/', { headers: { 'X-API-KEY': key, 'X-Automation-User': 'system' } });
    check(spoofed.json && spoofed.json.x_automation_user === 'ana', 'a client cannot name itself to the backend');

    phase('no key');
    // --- no key: PyAutomation answers as before; refused keys get its own 401 body ---
    const missing = await http(hmi, 'GET', '/api/tags/');
    check(missing.status === 401 && missing.json && missing.json.message === 'Key is missing.',
      `no key: PyAutomation's own answer: ${missing.status} ${missing.text}`);
    check((await http(hmi, 'GET', '/api/health/ping')).status === 200, 'an open PyAutomation route stays open');
    check((await http(hmi, 'GET', '/')).text.includes('PyAutomation HMI'), 'the HMI files stay open');
    const forged = await http(hmi, 'GET', '/api/tags/', { headers: { 'X-API-KEY': 'forged' } });
    check(forged.status === 401 && forged.json && forged.json.message === 'Invalid token' &&
      (forged.headers.get('content-type') || '').startsWith('application/json'),
      `a forged key: JSON "Invalid token": ${forged.status} ${forged.headers.get('content-type')} ${forged.text}`);
    const loggedOut = await login();
    check((await http(hmi, 'POST', '/api/users/logout', { headers: { 'X-API-KEY': loggedOut } })).status === 200, 'logout');
    const afterLogout = await http(hmi, 'GET', '/api/tags/', { headers: { 'X-API-KEY': loggedOut } });
    check(afterLogout.status === 401 && afterLogout.json.message === 'Invalid token', `a logged-out key is refused: ${afterLogout.status}`);

    phase('the minted token');
    // --- the minted token: a short life, and no key at this service ---
    const verified = await http(service.port, 'GET', '/api/auth/verify', { headers: { 'X-API-KEY': key } });
    const minted = verified.headers.get('x-automation-token');
    secrets.push(minted);
    const exp = JSON.parse(Buffer.from(minted.split('.')[1], 'base64url').toString()).exp;
    const direct = await http(backend.port, 'GET', '/api/tags/', { headers: { 'X-API-KEY': minted } });
    check(direct.status === 200, `PyAutomation accepts the minted token: ${direct.status}`);
    const asKey = await http(hmi, 'GET', '/api/users/me', { headers: { 'X-API-KEY': minted } });
    check(asKey.status === 401, `the minted token is no key here: ${asKey.status}`);
    let refusedAt = 0;
    for (const deadline = Date.now() + (kTtl + 5) * 1000; Date.now() < deadline;) {
      const answer = await http(backend.port, 'GET', '/api/tags/', { headers: { 'X-API-KEY': minted } });
      if (answer.status === 401) { refusedAt = Date.now() / 1000; break; }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    check(refusedAt >= exp - 0.2 && refusedAt <= exp + 2, `the expired token is refused at exp (${exp}): ${refusedAt}`);

    phase('a WebSocket upgrade');
    // --- a WebSocket upgrade passes, as the user ---
    const upgraded = await websocket(hmi, { 'X-API-KEY': key }, 'ping');
    check(upgraded.status === 101 && upgraded.echo === 'ping from ana', `WebSocket through nginx: ${JSON.stringify(upgraded)}`);
    const refusedUpgrade = await websocket(hmi, { 'X-API-KEY': 'forged' }, 'ping');
    check(refusedUpgrade.status === 401, `a forged key's upgrade is refused: ${refusedUpgrade.status}`);

    phase('a revoked session');
    // --- a revoked session stops at once ---
    const revoked = await login();
    check((await http(hmi, 'GET', '/api/tags/', { headers: { 'X-API-KEY': revoked } })).status === 200, 'before revocation');
    const revocation = await http(hmi, 'DELETE', '/api/users/ana/sessions', { headers: { 'X-API-KEY': bossKey } });
    check(revocation.status === 200, `revoke: ${revocation.status} ${revocation.text}`);
    check((await http(hmi, 'GET', '/api/tags/', { headers: { 'X-API-KEY': revoked } })).status === 401, 'a revoked session is refused');

    phase('open redirects');
    // --- open redirects are refused ---
    for (const rd of ['https://evil.example/', '//evil.example', `http://127.0.0.1:${app}@evil.example/`, '/\\evil.example']) {
      const shown = await http(app, 'GET', `/login?rd=${encodeURIComponent(rd)}`);
      check(shown.status === 400, `GET /login refuses rd=${rd}: ${shown.status}`);
      const posted = await http(app, 'POST', '/login', {
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: `http://127.0.0.1:${app}` },
        body: new URLSearchParams({ username: 'ana', password: kPassword, rd }).toString(),
      });
      check(posted.status === 400 && !posted.headers.get('set-cookie') && !posted.headers.get('location'),
        `POST /login refuses rd=${rd}: ${posted.status} ${posted.headers.get('location')}`);
    }

    phase('the cookie login in Chromium');
    // --- the cookie login in Chromium: login page -> protected app -> sign out -> login page ---
    browser = await chromium.launch({ executablePath: kChromium, headless: true, args: ['--no-sandbox'] });
    const context = await browser.newContext();
    await context.addCookies([{ name: 'theme', value: 'dark', url: `http://127.0.0.1:${app}` }]);
    const page = await context.newPage();
    const problems = [];
    page.on('console', (message) => { if (message.type() === 'error') problems.push(message.text()); });
    page.on('request', (request) => {
      if (!request.url().startsWith(`http://127.0.0.1:${app}/`)) problems.push(`outside request ${request.url()}`);
    });
    const wanted = `http://127.0.0.1:${app}/app/dashboard?x=1&y=2`;
    await page.goto(wanted);
    const atLogin = new URL(page.url());
    check(atLogin.pathname === '/login' && atLogin.searchParams.get('rd') === wanted,
      `an anonymous browser is sent to the login page: ${page.url()}`);
    await page.fill('#username', 'ana');
    await page.fill('#password', kPassword);
    await Promise.all([page.waitForURL(wanted), page.click('button[type=submit]')]);
    check((await page.textContent('#hello')) === 'Hello ana', 'the app greets the signed-in user');
    check((await page.textContent('#role')) === 'operator', 'the app learns the role');
    check((await page.textContent('#cookie')) === 'theme=dark', `the app never sees the session cookie: ${await page.textContent('#cookie')}`);
    const cookie = (await context.cookies()).find((c) => c.name === 'automation_session');
    check(cookie && cookie.httpOnly && cookie.sameSite === 'Lax', `the session cookie is HttpOnly and SameSite=Lax: ${JSON.stringify(cookie && { ...cookie, value: '' })}`);
    if (cookie) secrets.push(cookie.value);
    await page.click('#signout');
    await page.waitForURL(/\/logout\?rd=/);
    await Promise.all([page.waitForURL(/\/login\?rd=/), page.click('button[type=submit]')]);
    check(await page.isVisible('#username'), 'signed out: the login page again');
    check(!(await context.cookies()).some((c) => c.name === 'automation_session'), 'the session cookie is gone');
    await page.goto(`http://127.0.0.1:${app}/app/`);
    check(new URL(page.url()).pathname === '/login', `the app needs a new sign-in: ${page.url()}`);
    check(problems.length === 0, `the pages: ${problems.join('; ')}`);

    phase('who did it');
    // --- who did it: in nginx's access lines, never a key or a token ---
    const accessLines = nginx.log('pyautomation-access.log') + nginx.log('webapp-access.log');
    check(/ - ana \[.*"GET \/api\/tags\/ /.test(accessLines), 'access lines name the user');
    const serviceLog = service.log();
    for (const secret of secrets.filter(Boolean)) {
      check(!accessLines.includes(secret), 'a key or token in nginx access lines');
      check(!serviceLog.includes(secret), 'a key or token in the service log');
    }
  } finally {
    phase('stopping');
    if (browser) await browser.close();
    phase('browser closed');
    await nginx.stop();
    phase('nginx stopped');
    backend.stop();
    check((await service.stop()) === 0, 'the server did not exit 0 on SIGTERM');
    phase('stopped');
  }
  report();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
