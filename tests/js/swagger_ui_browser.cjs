// Headless Chromium (Debian's) driven by playwright-core opens /api/docs on the real server,
// sees the operations, runs "Try it out" -> "Execute" on GET /api/health/ping and sees the
// 200 answer; no request of the page leaves the server.
// Usage: node swagger_ui_browser.cjs <automation binary>
'use strict';
const fs = require('node:fs');
const { requireToolOrSkip, skipOrFail, startServer, checks } = require('./server.cjs');

const kChromium = process.env.AUTOMATION_CHROMIUM || '/usr/bin/chromium';

async function main() {
  if (!fs.existsSync(kChromium)) skipOrFail(`no browser at ${kChromium} (apt-get install chromium)`);
  const { chromium } = requireToolOrSkip('playwright-core');
  const server = await startServer(process.argv[2]);
  const { check, report } = checks();
  // Never a browser download: Debian's chromium, no sandbox (tests may run as root).
  const browser = await chromium.launch({ executablePath: kChromium, headless: true, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    const outside = [];
    page.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith(server.base) && !url.startsWith('data:') && !url.startsWith('blob:')) outside.push(url);
    });
    const errors = [];
    page.on('pageerror', (error) => errors.push(error.message));

    await page.goto(`${server.base}/api/docs`);
    await page.waitForSelector('.opblock', { timeout: 30000 });
    const document = await (await fetch(`${server.base}/api/openapi.json`)).json();
    const documented = Object.values(document.paths).reduce((n, ops) => n + Object.keys(ops).length, 0);
    const shown = await page.locator('.opblock').count();
    check(shown === documented, `the page lists ${shown} operations, the document ${documented}`);

    const ping = page.locator('.opblock-get', { has: page.locator('[data-path="/api/health/ping"]') });
    await ping.locator('.opblock-summary').first().click();
    await ping.locator('.try-out__btn').click();
    await ping.locator('button.execute').click();
    const status = ping.locator('.live-responses-table .response .response-col_status').first();
    await status.waitFor({ timeout: 15000 });
    check((await status.innerText()).trim() === '200', `Execute showed status ${await status.innerText()}`);
    const body = await ping.locator('.live-responses-table .response-col_description pre').first().innerText();
    check(body.includes('pong'), `Execute showed the body ${body}`);

    check(outside.length === 0, `the page requested outside URLs: ${outside.join(', ')}`);
    check(errors.length === 0, `the page raised: ${errors.join('; ')}`);
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
