// CORS in a real browser (issue 20): headless Chromium opens a page on one origin that calls the
// API of the real server on another, as an HMI served from its own host or port does.
// With AUTOMATION_CORS_ORIGINS=* (the default, as upstream's flask-cors) a key in X-API-KEY works
// after a preflight, and a request with credentials (the session cookie) is never let through;
// with the page's origin listed, the cookie works from it, and an unlisted origin gets nothing.
// Usage: node cors_browser.cjs <automation binary>
'use strict';
const fs = require('node:fs');
const nodeHttp = require('node:http');
const { requireToolOrSkip, skipOrFail, startServer, checks, freePort } = require('./server.cjs');

const kChromium = process.env.AUTOMATION_CHROMIUM || '/usr/bin/chromium';
const kSystemPassword = 'Js-Test-Sys7em-Pass';

// A page server on its own port: every path answers the same empty page.
async function startPageServer() {
  const port = await freePort();
  const server = nodeHttp.createServer((request, response) => {
    response.writeHead(200, { 'Content-Type': 'text/html' });
    response.end('<!doctype html><title>HMI elsewhere</title><p>HMI</p>');
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${port}`, stop: () => new Promise((resolve) => server.close(resolve)) };
}

// What the page at `pageOrigin` gets from calls to `api`, run inside the page.
async function callFromPage(page, pageOrigin, api) {
  await page.goto(`${pageOrigin}/`);
  return page.evaluate(async ({ api, password }) => {
    const result = {};
    // A fetch that never settles would hold page.evaluate (which has no timeout) forever.
    const fetch = (url, options = {}) =>
      window.fetch(url, { ...options, signal: AbortSignal.timeout(15000) });
    const attempt = async (name, call) => {
      try {
        result[name] = await call();
      } catch (error) {
        result[name] = `blocked: ${error.name}`;
      }
    };
    let key = '';
    await attempt('login', async () => {
      const response = await fetch(`${api}/api/users/login`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: 'system', password }),
      });
      key = (await response.json()).apiKey || '';
      return response.status;
    });
    await attempt('me_with_key', async () => {
      const response = await fetch(`${api}/api/users/me`, { headers: { 'X-API-KEY': key } });
      return `${response.status} ${(await response.json()).username}`;
    });
    await attempt('request_id_readable', async () => {
      const response = await fetch(`${api}/api/health/ping`);
      return response.headers.get('X-Request-Id') ? 'yes' : 'no';
    });
    await attempt('me_with_cookie', async () => {
      const response = await fetch(`${api}/api/users/me`, { credentials: 'include' });
      return `${response.status} ${(await response.json()).username || ''}`;
    });
    await attempt('logout_with_key', async () => {
      const response = await fetch(`${api}/api/users/logout`, { method: 'POST', headers: { 'X-API-KEY': key } });
      return response.status;
    });
    return result;
  }, { api, password: kSystemPassword });
}

// Signs the browser context into `api`'s login page (the session cookie of that host). The
// answer is a 303 back to /login, the URL the form is on, so waiting for that URL would return
// at once: wait for the page that says who is signed in instead.
async function signIn(context, api) {
  const page = await context.newPage();
  await page.goto(`${api}/login`);
  await page.fill('#username', 'system');
  await page.fill('#password', kSystemPassword);
  await page.click('button[type=submit]');
  await page.waitForSelector('text=Signed in as');
  await page.close();
}

async function main() {
  if (!fs.existsSync(kChromium)) skipOrFail(`no browser at ${kChromium} (apt-get install chromium)`);
  const { chromium } = requireToolOrSkip('playwright-core');
  const { check, report } = checks();
  const started = Date.now();
  const phase = (name) => console.log(`${((Date.now() - started) / 1000).toFixed(1)} s: ${name}`);
  const pageServer = await startPageServer();
  const otherServer = await startPageServer();
  // Cheap password hashing: the test is about the browser, not the KDF.
  const cheap = { AUTOMATION_ARGON2_MEMORY_KIB: '1024', AUTOMATION_ARGON2_ITERATIONS: '1' };
  const any = await startServer(process.argv[2], cheap);
  const listed = await startServer(process.argv[2], { ...cheap, AUTOMATION_CORS_ORIGINS: pageServer.origin });
  phase('servers started');
  const browser = await chromium.launch({ executablePath: kChromium, headless: true, args: ['--no-sandbox'] });
  phase('browser started');
  try {
    // AUTOMATION_CORS_ORIGINS=*: keys work from anywhere; the cookie never does.
    let context = await browser.newContext();
    await signIn(context, any.base);
    phase('*: signed in');
    let result = await callFromPage(await context.newPage(), pageServer.origin, any.base);
    check(result.login === 200, `* : login from another origin: ${result.login}`);
    check(result.me_with_key === '200 system', `* : a key after a preflight: ${result.me_with_key}`);
    check(result.request_id_readable === 'yes', `* : X-Request-Id is readable: ${result.request_id_readable}`);
    check(String(result.me_with_cookie).startsWith('blocked'), `* : never with credentials: ${result.me_with_cookie}`);
    check(result.logout_with_key === 200, `* : a POST with a key: ${result.logout_with_key}`);

    // A listed origin: the cookie works from it; an unlisted origin gets no answer at all.
    await context.close();
    phase('*: done');

    context = await browser.newContext();
    await signIn(context, listed.base);
    phase('listed: signed in');
    result = await callFromPage(await context.newPage(), pageServer.origin, listed.base);
    check(result.me_with_key === '200 system', `listed: a key: ${result.me_with_key}`);
    check(result.me_with_cookie === '200 system', `listed: the cookie from the listed origin: ${result.me_with_cookie}`);
    result = await callFromPage(await context.newPage(), otherServer.origin, listed.base);
    check(String(result.login).startsWith('blocked'), `listed: an unlisted origin is not answered: ${result.login}`);
    check(String(result.me_with_cookie).startsWith('blocked'), `listed: nor with the cookie: ${result.me_with_cookie}`);
    await context.close();
    phase('listed: done');
  } finally {
    await browser.close();
    phase('browser closed');
    check((await any.stop()) === 0, 'the server did not exit 0 on SIGTERM');
    check((await listed.stop()) === 0, 'the server did not exit 0 on SIGTERM');
    await pageServer.stop();
    await otherServer.stop();
    phase('stopped');
  }
  report();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
