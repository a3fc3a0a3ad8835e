// Shared by the node tests: the pinned npm packages (tools/npm) and the real server binary
// on a free loopback port in a temporary directory, ready once /api/health/ping answers.
'use strict';
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { createRequire } = require('node:module');

const root = path.resolve(__dirname, '..', '..');
// Resolves packages from tools/npm/node_modules (installed by scripts/install-deps.sh).
const requireTool = createRequire(path.join(root, 'tools', 'npm', 'package.json'));

// Skips (exit 77, one line) outside CI; under CI=true a missing prerequisite fails the test.
function skipOrFail(why) {
  if (process.env.CI === 'true') {
    console.error(`FAILED: ${why} (required under CI)`);
    process.exit(1);
  }
  console.log(`skipped: ${why}`);
  process.exit(77);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

// `env`: settings for the server, or a function of its port that returns them (for settings
// that name the server's own address, e.g. AUTOMATION_OIDC_ISSUER).
async function startServer(binary, env = {}) {
  binary = path.resolve(binary);  // the server runs in its own directory
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'automation-js-'));
  const port = await freePort();
  if (typeof env === 'function') env = env(port);
  const log = fs.openSync(path.join(dir, 'server.log'), 'w');
  const serverEnv = { PATH: process.env.PATH, AUTOMATION_SUPERUSER_PASSWORD: 'Js-Test-Sys7em-Pass', ...env };
  const child = spawn(binary, ['serve', '--port', String(port), '--db-file', path.join(dir, 'app.db')], {
    cwd: dir,
    stdio: ['ignore', log, log],
    env: serverEnv,
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited:\n${fs.readFileSync(path.join(dir, 'server.log'))}`);
    try {
      // Its own start line too: when another test's server took the port first, this one
      // fails to bind and the ping is answered by the other one.
      if ((await fetch(`${base}/api/health/ping`)).status === 200 &&
          fs.readFileSync(path.join(dir, 'server.log'), 'utf8').includes(`:${port} database=`)) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('server did not become ready');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve(child.exitCode);
      child.once('exit', (code) => {
        fs.rmSync(dir, { recursive: true, force: true });
        resolve(code);
      });
      child.kill('SIGTERM');
    });
  // What the server printed so far (its log file lives until stop()).
  const readLog = () => fs.readFileSync(path.join(dir, 'server.log'), 'utf8');
  // `automation <args>` on the server's database with the server's settings (the
  // command-line tool as an operator runs it beside the service); its standard output.
  const cli = (args) => execFileSync(binary, [...args, '--db-file', path.join(dir, 'app.db')],
    { cwd: dir, env: serverEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return { base, port, stop, log: readLog, dbFile: path.join(dir, 'app.db'), cli };
}

// A package of tools/npm, or a skip (a failure under CI) when it is not installed.
function requireToolOrSkip(name) {
  try {
    return requireTool(name);
  } catch {
    return skipOrFail(`npm package ${name} missing in tools/npm (run scripts/install-deps.sh)`);
  }
}

// check(ok, what) records one check; report() prints "N passed, N failed" for the test
// runner and exits with the verdict.
function checks() {
  const failures = [];
  let total = 0;
  return {
    check(ok, what) {
      total += 1;
      if (!ok) failures.push(what);
    },
    report() {
      for (const failure of failures) console.error(`FAILED: ${failure}`);
      console.log(`${total - failures.length} passed, ${failures.length} failed`);
      process.exit(failures.length === 0 ? 0 : 1);
    },
  };
}

module.exports = { requireToolOrSkip, skipOrFail, startServer, checks, freePort };
