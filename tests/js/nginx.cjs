// A throw-away nginx for tests and benchmarks, like scripts/pg-cluster.sh's PostgreSQL: its own
// prefix directory, configuration, logs and temporary files, on the ports the caller chose,
// in the foreground (one process, no daemon), stopped with SIGTERM and removed afterwards.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const kNginx = process.env.AUTOMATION_NGINX || '/usr/sbin/nginx';
const root = path.resolve(__dirname, '..', '..');

// The text of a shipped file of packaging/nginx/ with `replacements` ([from, to] pairs) made;
// throws when one of them finds nothing (the shipped file changed: the test must follow).
function shippedConfig(name, replacements) {
  let text = fs.readFileSync(path.join(root, 'packaging', 'nginx', name), 'utf8');
  for (const [from, to] of replacements) {
    if (!text.includes(from)) throw new Error(`packaging/nginx/${name} has no "${from}"`);
    text = text.split(from).join(to);
  }
  return text;
}

function canConnect(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

// Starts nginx with `httpBlock` as the content of its http {} block (a function of the prefix
// directory, so logs can go there); resolves once every port in `ports` accepts connections.
async function startNginx(httpBlock, ports, { workers = 1 } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'automation-nginx-'));
  // Worker processes (when several) run as nobody: they must reach the prefix.
  fs.chmodSync(dir, 0o755);
  const single = workers === 1;
  const conf = `daemon off;
master_process ${single ? 'off' : 'on'};
worker_processes ${workers};
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
    default_type application/octet-stream;
    access_log ${dir}/access.log;
    client_body_temp_path ${dir}/client_body;
    proxy_temp_path ${dir}/proxy;
    fastcgi_temp_path ${dir}/fastcgi;
    uwsgi_temp_path ${dir}/uwsgi;
    scgi_temp_path ${dir}/scgi;
${httpBlock(dir)}
}
`;
  fs.writeFileSync(path.join(dir, 'nginx.conf'), conf);
  const child = spawn(kNginx, ['-p', dir, '-e', path.join(dir, 'error.log'), '-c', path.join(dir, 'nginx.conf')],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const log = (name) => {
    try { return fs.readFileSync(path.join(dir, name), 'utf8'); } catch { return ''; }
  };
  const deadline = Date.now() + 15000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${stderr}\n${log('error.log')}`);
    const ready = await Promise.all(ports.map(canConnect));
    if (ready.every(Boolean)) break;
    if (Date.now() > deadline) throw new Error(`nginx did not listen: ${log('error.log')}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const stop = () => new Promise((resolve) => {
    const done = () => { fs.rmSync(dir, { recursive: true, force: true }); resolve(); };
    if (child.exitCode !== null) return done();
    child.once('exit', done);
    child.kill('SIGTERM');
  });
  return { dir, log, stop };
}

module.exports = { kNginx, shippedConfig, startNginx };
