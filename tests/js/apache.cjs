// A throw-away Apache httpd for tests, like nginx.cjs's nginx: Debian's apache2-bin run in the
// foreground with a configuration of its own (no /etc/apache2), its server root, logs, PID and
// runtime files in a temporary directory, listening on the port the caller chose; stopped with
// SIGTERM and removed afterwards. Ready once the port accepts connections (no sleeps).
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const kApache = process.env.AUTOMATION_APACHE || '/usr/sbin/apache2';
const kApacheModules = process.env.AUTOMATION_APACHE_MODULES || '/usr/lib/apache2/modules';

function canConnect(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

// The modules every configuration here needs (mod_unixd and mod_log_config are built into
// Debian's binary): one event MPM process, Require (valid-user too) and AuthType, MIME types,
// index files, Alias.
const kBaseModules = ['mpm_event', 'authz_core', 'authz_user', 'authn_core', 'mime', 'dir', 'alias'];

// Starts Apache listening on 127.0.0.1 at each of `ports` with `modules` (names as in mod_NAME.so, besides the base
// ones) and `body(dir)`: the configuration's own part (a function of the server root, so that
// files and logs can go there; `files` are written there first, name -> content). Resolves
// { dir, log(name), stop() } once every port accepts connections.
async function startApache({ ports, modules = [], files = {}, body }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'automation-apache-'));
  // The worker process runs as nobody when started by root: it must read the server root.
  fs.chmodSync(dir, 0o755);
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true, mode: 0o755 });
    fs.writeFileSync(path.join(dir, name), content, { mode: 0o644 });
  }
  const loads = [...kBaseModules, ...modules]
    .map((name) => `LoadModule ${name}_module ${kApacheModules}/mod_${name}.so`).join('\n');
  const root = process.getuid && process.getuid() === 0;
  const conf = `ServerRoot ${dir}
ServerName localhost
${loads}
${ports.map((port) => `Listen 127.0.0.1:${port}`).join('\n')}
PidFile ${dir}/httpd.pid
DefaultRuntimeDir ${dir}
Mutex file:${dir} default
ErrorLog ${dir}/error.log
LogLevel warn
LogFormat "%h %l %u %t \\"%r\\" %>s %b" common
CustomLog ${dir}/access.log common
${root ? 'User nobody\nGroup nogroup' : ''}
# One worker process (threads serve the browser's parallel connections): nothing outlives a stop.
StartServers 1
ServerLimit 1
MinSpareThreads 1
MaxSpareThreads 25
ThreadsPerChild 25
MaxRequestWorkers 25
TypesConfig /dev/null
DocumentRoot ${dir}/htdocs
<Directory />
    Require all denied
    AllowOverride None
</Directory>
${body(dir)}
`;
  fs.mkdirSync(path.join(dir, 'htdocs'), { recursive: true, mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'httpd.conf'), conf);
  const child = spawn(kApache, ['-d', dir, '-f', path.join(dir, 'httpd.conf'), '-DFOREGROUND'],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env.PATH, LANG: 'C' } });
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const log = (name = 'error.log') => {
    try { return fs.readFileSync(path.join(dir, name), 'utf8'); } catch { return ''; }
  };
  const stop = () => new Promise((resolve) => {
    const done = () => { fs.rmSync(dir, { recursive: true, force: true }); resolve(); };
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('exit', done);
    child.kill('SIGTERM');
  });
  const deadline = Date.now() + 15000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const why = `apache exited (${child.exitCode ?? child.signalCode}): ${stderr}\n${log()}`;
      fs.rmSync(dir, { recursive: true, force: true });
      throw new Error(why);
    }
    if ((await Promise.all(ports.map(canConnect))).every(Boolean)) break;
    if (Date.now() > deadline) {
      const why = `apache did not listen: ${stderr}\n${log()}`;
      await stop();
      throw new Error(why);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { dir, log, stop };
}

module.exports = { kApache, kApacheModules, startApache };
