// The OpenID Connect provider (issue 27) with a real relying party in front of an app: Debian's
// Apache httpd with mod_auth_openidc (tests/js/apache.cjs) protects /app/ on
// http://localhost:<port> and signs people in against the service on http://127.0.0.1:<port>
// (two host names: the browser keeps their cookies apart, as on two machines). Headless
// Chromium goes through the whole authorization code flow with PKCE S256 on the service's own
// login page, gets the claims (preferred_username, roles) into the app, signs in to a second
// relying-party session without the form (single sign-on), is asked for the password again
// under prompt=login, and ends the service session by RP-initiated logout.
// Usage: node oidc_apache.cjs <automation binary>
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const { requireToolOrSkip, skipOrFail, startServer, checks, freePort } = require('./server.cjs');
const { kApache, kApacheModules, startApache } = require('./apache.cjs');

const kChromium = process.env.AUTOMATION_CHROMIUM || '/usr/bin/chromium';
const kSystemPassword = 'Js-Test-Sys7em-Pass';
const kPassword = 'Oidc-Apache-Passw0rd';
const kSessionCookie = 'automation_session';

// The app's page: what mod_auth_openidc hands the app (OIDCPassClaimsAs environment), printed
// by mod_include. The Apache user (REMOTE_USER) is the preferred_username (OIDCRemoteUserClaim).
const kAppPage = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Plant app</title></head><body>
<h1>Plant app</h1>
<p>User: <span id="user"><!--#echo var="REMOTE_USER" --></span></p>
<p>Username: <span id="preferred_username"><!--#echo var="OIDC_CLAIM_preferred_username" --></span></p>
<p>Roles: <span id="roles"><!--#echo var="OIDC_CLAIM_roles" --></span></p>
<p>Role level: <span id="role_level"><!--#echo var="OIDC_CLAIM_role_level" --></span></p>
</body></html>
`;
const kSignedOutPage = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Signed out</title></head><body>
<h1 id="signed-out">Signed out of the plant app</h1>
</body></html>
`;

async function api(base, method, pathname, body, key) {
  const headers = { 'Content-Type': 'application/json' };
  if (key) headers['X-API-KEY'] = key;
  const response = await fetch(`${base}${pathname}`, { method, headers, body: body && JSON.stringify(body) });
  return { status: response.status, json: await response.json().catch(() => ({})) };
}

// The JSON object that ends `text`, on one line or over several (a command's log lines may
// come first).
function lastJsonLine(text) {
  const lines = text.trim().split('\n');
  for (let first = lines.length - 1; first >= 0; first -= 1) {
    if (!lines[first].startsWith('{')) continue;
    try {
      const value = JSON.parse(lines.slice(first).join('\n'));
      if (value && typeof value === 'object') return value;
    } catch { /* not JSON */ }
  }
  throw new Error(`no JSON object in: ${text}`);
}

// mod_auth_openidc's configuration for the two relying-party sites: A (plain) and B (the same
// app, each sign-in forced: prompt=login), one client with both redirect URIs.
function apacheConfig({ service, client, a, b }) {
  return (dir) => `
AddType text/html .html .shtml
AddOutputFilter INCLUDES .shtml
DirectoryIndex index.shtml
<Directory ${dir}/htdocs>
    Require all granted
    Options +Includes
</Directory>

OIDCProviderMetadataURL ${service}/.well-known/openid-configuration
OIDCClientID ${client.client_id}
OIDCClientSecret ${client.client_secret}
OIDCCryptoPassphrase ${crypto.randomBytes(24).toString('hex')}
OIDCPKCEMethod S256
OIDCScope "openid profile roles"
OIDCRemoteUserClaim preferred_username
OIDCPassClaimsAs environment
OIDCInfoHook iat id_token userinfo session
OIDCHTTPTimeoutShort 5
OIDCHTTPTimeoutLong 10

<Location /app/>
    AuthType openid-connect
    Require valid-user
</Location>
<Location /app/loggedout>
    AuthType None
    Require all granted
    ForceType text/html
</Location>

<VirtualHost 127.0.0.1:${a}>
    OIDCRedirectURI http://localhost:${a}/app/redirect_uri
</VirtualHost>
<VirtualHost 127.0.0.1:${b}>
    OIDCRedirectURI http://localhost:${b}/app/redirect_uri
    OIDCCookie automation_rp_b_session
    <Location /app/>
        OIDCPathAuthRequestParams prompt=login
    </Location>
</VirtualHost>
`;
}

async function main() {
  if (!fs.existsSync(kApache)) skipOrFail(`no Apache at ${kApache} (apt-get install apache2-bin)`);
  if (!fs.existsSync(`${kApacheModules}/mod_auth_openidc.so`)) {
    skipOrFail('no mod_auth_openidc (apt-get install libapache2-mod-auth-openidc)');
  }
  if (!fs.existsSync(kChromium)) skipOrFail(`no browser at ${kChromium} (apt-get install chromium)`);
  const { chromium } = requireToolOrSkip('playwright-core');
  const { check, report } = checks();
  const started = Date.now();
  const phase = (name) => console.log(`${((Date.now() - started) / 1000).toFixed(1)} s: ${name}`);

  // Cheap password hashing: the test is about the protocol, not the KDF.
  const service = await startServer(process.argv[2], (port) => ({
    AUTOMATION_ARGON2_MEMORY_KIB: '1024',
    AUTOMATION_ARGON2_ITERATIONS: '1',
    AUTOMATION_OIDC_ENABLED: 'true',
    AUTOMATION_OIDC_ISSUER: `http://127.0.0.1:${port}`,
  }));
  phase('service started');
  const a = await freePort();
  const b = await freePort();
  const appA = `http://localhost:${a}`;
  const appB = `http://localhost:${b}`;
  const secrets = [kPassword];
  let apache;
  let browser;
  try {
    const system = (await api(service.base, 'POST', '/api/users/login', { username: 'system', password: kSystemPassword })).json.apiKey;
    secrets.push(system);
    const signup = await api(service.base, 'POST', '/api/users/signup',
      { username: 'ana', email: 'ana@plant.example', password: kPassword, role_name: 'operator' }, system);
    check(signup.status === 200, `signup: ${signup.status} ${JSON.stringify(signup.json)}`);
    const role = signup.json.role || {};

    // The operator registers the app as a client, as docs/oidc-relying-parties.md shows.
    const client = lastJsonLine(service.cli(['oidc', 'client', 'add', '--name', 'plant-app',
      '--redirect-uri', `${appA}/app/redirect_uri`, '--redirect-uri', `${appB}/app/redirect_uri`,
      '--post-logout-redirect-uri', `${appA}/app/loggedout`, '--json']));
    check(typeof client.client_id === 'string' && typeof client.client_secret === 'string',
      `oidc client add --json: ${Object.keys(client)}`);
    secrets.push(client.client_secret);
    apache = await startApache({
      ports: [a, b],
      modules: ['auth_openidc', 'include'],
      files: { 'htdocs/app/index.shtml': kAppPage, 'htdocs/app/loggedout': kSignedOutPage },
      body: apacheConfig({ service: service.base, client, a, b }),
    });
    phase('apache started');

    browser = await chromium.launch({ executablePath: kChromium, headless: true, args: ['--no-sandbox'] });
    const hosts = new Set([`localhost:${a}`, `localhost:${b}`, `127.0.0.1:${service.port}`]);
    const problems = [];
    // A page that records where it went: every document it loaded, and requests off the three sites.
    const watch = (page) => {
      const documents = [];
      page.on('request', (request) => {
        const url = new URL(request.url());
        if (!hosts.has(url.host)) problems.push(`outside request ${request.url()}`);
        if (request.isNavigationRequest()) documents.push(url);
      });
      return documents;
    };
    const onLoginPage = (page) => {
      const url = new URL(page.url());
      return url.host === `127.0.0.1:${service.port}` && url.pathname === '/login';
    };
    const signIn = async (page, landing) => {
      await page.fill('#username', 'ana');
      await page.fill('#password', kPassword);
      await Promise.all([page.waitForURL(landing, { timeout: 15000 }), page.click('button[type=submit]')]);
    };
    const info = async (page, app) => {
      const response = await page.request.get(`${app}/app/redirect_uri?info=json`);
      return response.ok() ? response.json() : {};
    };

    phase('sign-in through the service login page');
    // --- A: the app sends the browser to the service, which shows its login page ---
    const first = await browser.newContext();
    const page = await first.newPage();
    const firstDocuments = watch(page);
    await page.goto(`${appA}/app/`);
    check(onLoginPage(page), `an anonymous visit to the app shows the service's login page: ${page.url()}`);
    const rd = new URL(page.url()).searchParams.get('rd') || '';
    check(rd.includes('/oidc/authorize?'), `the login page returns to the authorization request: ${rd}`);
    const authorize = new URL(rd, service.base);
    check(authorize.searchParams.get('code_challenge_method') === 'S256' && authorize.searchParams.get('code_challenge'),
      `mod_auth_openidc sent a PKCE S256 challenge: ${authorize.search}`);
    check(await page.isVisible('#password'), 'the password form is shown');
    await signIn(page, `${appA}/app/`);
    check((await page.textContent('#user')) === 'ana', `the app's user is ana: ${await page.textContent('body')}`);
    check((await page.textContent('#preferred_username')) === 'ana', 'preferred_username arrives');
    check((await page.textContent('#roles')) === role.name, `roles arrive: ${await page.textContent('#roles')} (${role.name})`);
    check((await page.textContent('#role_level')) === String(role.level), `role_level arrives: ${await page.textContent('#role_level')}`);
    check(firstDocuments.some((url) => url.host === `localhost:${a}` && url.pathname === '/app/redirect_uri'),
      'the code came back through the redirect URI');
    const firstInfo = await info(page, appA);
    const firstClaims = firstInfo.id_token || {};
    check(firstClaims.iss === service.base && firstClaims.aud && firstClaims.sub === signup.json.identifier,
      `the ID token: iss, aud, sub: ${JSON.stringify(firstClaims)}`);
    check(Array.isArray(firstClaims.roles) && firstClaims.roles.includes(role.name), `roles claim: ${JSON.stringify(firstClaims.roles)}`);
    check(typeof firstClaims.auth_time === 'number', `auth_time: ${firstClaims.auth_time}`);
    check((firstInfo.userinfo || {}).preferred_username === 'ana', `userinfo: ${JSON.stringify(firstInfo.userinfo)}`);
    const serviceCookies = (await first.cookies(service.base)).filter((c) => c.name === kSessionCookie);
    check(serviceCookies.length === 1, 'the service set its session cookie on its own host');
    for (const cookie of serviceCookies) secrets.push(cookie.value);
    check(!(await first.cookies(appA)).some((c) => c.name === kSessionCookie), 'the app never gets the service cookie');

    phase('single sign-on');
    // --- a second relying-party session (a fresh browser context that has the service's
    // session cookie, not the app's): signed in without the form ---
    const second = await browser.newContext();
    await second.addCookies(serviceCookies);
    const ssoPage = await second.newPage();
    const ssoDocuments = watch(ssoPage);
    await ssoPage.goto(`${appA}/app/`);
    check(ssoPage.url() === `${appA}/app/`, `single sign-on lands on the app: ${ssoPage.url()}`);
    check(!ssoDocuments.some((url) => url.pathname === '/login'), 'single sign-on shows no login page');
    check((await ssoPage.textContent('#user').catch(() => '')) === 'ana', 'single sign-on: the app knows ana');
    const ssoClaims = (await info(ssoPage, appA)).id_token || {};
    check(ssoClaims.auth_time === firstClaims.auth_time, `single sign-on keeps auth_time: ${ssoClaims.auth_time} vs ${firstClaims.auth_time}`);
    await second.close();

    phase('prompt=login');
    // --- B asks for prompt=login: the password again, though the service session lives ---
    const forcedDocuments = watch(page);
    await page.goto(`${appB}/app/`);
    check(onLoginPage(page), `prompt=login shows the service's login page: ${page.url()}`);
    // The module's authorization request asked for it (the login page's return address then
    // carries login_after instead, so the return does not ask again).
    const asked = forcedDocuments.find((url) => url.pathname === '/oidc/authorize');
    check(asked && asked.searchParams.get('prompt') === 'login',
          `the request carried prompt=login: ${asked && asked.search}`);
    check(await page.isVisible('#password'), 'prompt=login: the password form is shown again');
    if (await page.isVisible('#password')) {
      await signIn(page, `${appB}/app/`);
      check((await page.textContent('#user')) === 'ana', 'after prompt=login the app knows ana');
      const forcedClaims = (await info(page, appB)).id_token || {};
      check(forcedClaims.auth_time >= firstClaims.auth_time, `prompt=login: a new auth_time: ${forcedClaims.auth_time}`);
    }

    phase('RP-initiated logout');
    // --- logout at A: mod_auth_openidc ends its session and sends the browser to the
    // service's end_session_endpoint with the ID token as hint; the service session ends
    // without a question, and the browser comes back to the registered page ---
    const signedOut = (url) => url.host === `localhost:${a}` && url.pathname === '/app/loggedout';
    await page.goto(`${appA}/app/redirect_uri?logout=${encodeURIComponent(`${appA}/app/loggedout`)}`);
    await page.waitForURL(signedOut, { timeout: 15000 }).catch(() => {});
    check(signedOut(new URL(page.url())), `logout lands on the registered page: ${page.url()}`);
    check(await page.isVisible('#signed-out'), 'the signed-out page');
    check(!(await first.cookies(service.base)).some((c) => c.name === kSessionCookie && c.value),
      'the service session cookie is gone');
    await page.goto(`${service.base}/login`);
    check(await page.isVisible('#password'), 'the service session ended: its login page asks for the password');
    await page.goto(`${appA}/app/`);
    check(onLoginPage(page) && (await page.isVisible('#password')),
      `after logout the app needs a new sign-in: ${page.url()}`);
    await first.close();
    check(problems.length === 0, `the pages: ${problems.join('; ')}`);

    phase('logs');
    // --- who signed in, in Apache's access log; no secret in any log ---
    const access = apache.log('access.log');
    check(/ - ana \[[^\]]*\] "GET \/app\/ /.test(access), 'Apache logs the user by preferred_username');
    const logs = service.log() + apache.log('error.log') + access;
    for (const secret of secrets.filter(Boolean)) check(!logs.includes(secret), 'a secret in a log');
  } finally {
    phase('stopping');
    if (browser) await browser.close();
    if (apache) {
      const errors = apache.log().split('\n').filter((line) => /:(error|crit|alert|emerg)\]/.test(line));
      check(errors.length === 0, `Apache's error log: ${errors.join('\n')}`);
      await apache.stop();
    }
    check((await service.stop()) === 0, 'the server did not exit 0 on SIGTERM');
    phase('stopped');
  }
  report();
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}

module.exports = { apacheConfig, kAppPage, kSignedOutPage };
