#!/usr/bin/env node
// Replays the Dockerfile's steps outside Docker, where no engine runs: each build stage gets a
// directory standing for its root file system; COPY and the `npm` RUN steps are carried out there
// (other RUN steps install system packages: reported and skipped), VOLUME directories are created
// for the unprivileged user, and the image's CMD (under its ENTRYPOINT when that exists here) starts
// with the image's ENV as a non-root user. Then: the HEALTHCHECK command passes, /readyz answers
// 200, the demo thread is served, and SIGTERM drains a request that is still arriving, stops
// accepting, and exits 0.
//   node .ci/replay-dockerfile.js [Dockerfile]
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const net = require('node:net');
const { execFileSync, spawn, spawnSync } = require('node:child_process');
const { DockerfileParser } = require('dockerfile-ast');

const CONTEXT = process.cwd();
const dockerfile = process.argv[2] || 'Dockerfile';
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-image-'));
fs.chmodSync(root, 0o755);
// Not root already: run as ourselves. Root: as `nobody`, as the image runs as its own `node` user.
const asRoot = process.getuid() === 0;
const runAs = asRoot ? { uid: 65534, gid: 65534 } : {};

const say = (msg) => process.stdout.write(`${msg}\n`);
function fail(msg) {
  process.stderr.write(`replay failed: ${msg}\n`);
  process.exitCode = 1;
  throw new Error(msg);
}

function buildStages(text) {
  const stages = new Map();
  let stage;
  const inImage = (p) => path.join(stage.dir, path.posix.isAbsolute(p) ? p : path.posix.join(stage.workdir, p));
  for (const ins of DockerfileParser.parse(text).getInstructions()) {
    const keyword = ins.getKeyword();
    const args = ins.getArguments().map((a) => a.getValue());
    if (keyword === 'FROM') {
      const name = ins.getBuildStage() || `stage${stages.size}`;
      stage = { name, dir: path.join(root, name), workdir: '/', env: {}, volumes: [], user: 'root' };
      stages.set(name, stage);
      fs.mkdirSync(stage.dir, { mode: 0o755 });
      say(`FROM ${args.join(' ')}  -> ${stage.dir}`);
    } else if (keyword === 'WORKDIR') {
      stage.workdir = path.posix.resolve(stage.workdir, args[0]);
      fs.mkdirSync(inImage('.'), { recursive: true, mode: 0o755 });
    } else if (keyword === 'COPY') {
      const from = ins.getFlags().find((f) => f.getName() === 'from');
      const sources = args.slice(0, -1);
      const dest = inImage(args[args.length - 1]);
      for (const src of sources) {
        const source = from ? path.join(stages.get(from.getValue()).dir, src) : path.join(CONTEXT, src);
        const target = args[args.length - 1].endsWith('/') ? path.join(dest, path.basename(src)) : dest;
        fs.cpSync(source, target, { recursive: true });
      }
      say(`COPY ${args.join(' ')}`);
    } else if (keyword === 'RUN') {
      const command = ins.getArgumentsContent();
      if (!/^npm /.test(command)) {
        say(`RUN (system set-up, skipped here) ${command.replace(/\s+/g, ' ')}`);
        continue;
      }
      say(`RUN ${command}`);
      execFileSync('sh', ['-c', command], { cwd: inImage('.'), stdio: 'inherit', env: { ...process.env, ...stage.env } });
    } else if (keyword === 'ENV') {
      for (const p of ins.getProperties()) stage.env[p.getName()] = p.getValue();
    } else if (keyword === 'VOLUME') {
      stage.volumes.push(...ins.getJSONStrings().map((j) => j.getJSONValue()));
    } else if (keyword === 'USER') {
      stage.user = args[0];
    } else if (keyword === 'HEALTHCHECK') {
      stage.healthcheck = JSON.parse(ins.getArgumentsContent().replace(/^CMD\s+/, ''));
    } else if (keyword === 'ENTRYPOINT' || keyword === 'CMD') {
      stage[keyword.toLowerCase()] = ins.getJSONStrings().map((j) => j.getJSONValue());
    }
  }
  return { stage, inImage };
}

async function freePort() {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitHealthy(image, env, cwd, child) {
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) fail(`Parley exited with ${child.exitCode} before it was healthy`);
    const [cmd, ...rest] = image.healthcheck;
    const check = spawnSync(cmd, rest, { cwd, env, ...runAs, timeout: 3000 });
    if (check.status === 0) return;
    await sleep(1000);
  }
  fail('HEALTHCHECK never passed within 180 s');
}

// Sends a request's headers and half its body, lets `during` run, then the rest: the answer must come.
function slowRequest(port, during) {
  const body = JSON.stringify({ body: 'Drained, **not** dropped.' });
  const half = Math.floor(body.length / 2);
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', async () => {
      socket.write(`POST /api/v1/preview HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`);
      socket.write(body.slice(0, half));
      try {
        await during();
      } catch (err) {
        socket.destroy();
        reject(err);
        return;
      }
      socket.write(body.slice(half));
    });
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

function refused(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(true));
  });
}

async function main() {
  const { stage: image, inImage } = buildStages(fs.readFileSync(dockerfile, 'utf8'));
  if (image.user === 'root') fail('the image runs as root: add a USER');
  const env = { PATH: process.env.PATH, HOME: inImage('/tmp'), TINI_SUBREAPER: '1', ...image.env };
  fs.mkdirSync(env.HOME, { recursive: true });
  fs.chmodSync(env.HOME, 0o1777);
  for (const volume of image.volumes) {
    fs.mkdirSync(inImage(volume), { recursive: true });
    if (asRoot) fs.chownSync(inImage(volume), runAs.uid, runAs.gid);
    // The image's ENV names the volume by its path in the image: point it at the replay's copy.
    for (const [key, value] of Object.entries(env)) if (value === volume) env[key] = inImage(volume);
  }
  const port = await freePort();
  env.PORT = String(port);
  const entrypoint = (image.entrypoint || []).filter(() => image.entrypoint && fs.existsSync(image.entrypoint[0]));
  if (image.entrypoint && entrypoint.length === 0) say(`(${image.entrypoint[0]} is not installed here: running CMD without it)`);
  const command = [...entrypoint, ...image.cmd];
  say(`\nstarting as ${asRoot ? 'nobody (uid 65534)' : `uid ${process.getuid()}`} (the image's USER is ${image.user}): ${command.join(' ')}`);
  const cwd = inImage('.');
  const child = spawn(command[0], command.slice(1), { cwd, env, ...runAs, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (c) => (log += c));
  child.stderr.on('data', (c) => (log += c));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  try {
    const started = Date.now();
    await waitHealthy(image, env, cwd, child);
    say(`HEALTHCHECK passes, ${((Date.now() - started) / 1000).toFixed(0)} s after the start`);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    if (ready.status !== 200) fail(`/readyz answered ${ready.status}`);
    say(`/readyz: ${ready.status} ${await ready.text()}`);
    const thread = await fetch(`http://127.0.0.1:${port}/api/v1/threads/resolve`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ site: 'demo', key: 'naked-security-clearview' }),
    });
    if (thread.status !== 200) fail(`the demo thread answered ${thread.status}`);
    const shown = await thread.json();
    say(`the demo thread: ${thread.status}, ${(shown.thread ?? shown).commentCount} comments`);

    const answer = await slowRequest(port, async () => {
      await sleep(300);
      child.kill('SIGTERM');
      say('SIGTERM sent while a request was half received');
      await sleep(1000);
      if (!(await refused(port))) fail('still accepting connections after SIGTERM');
      say('new connections are refused');
    });
    if (!/^HTTP\/1\.1 200 /.test(answer) || !answer.includes('bodyHtml')) fail(`the request in flight got: ${answer.slice(0, 200) || 'no answer'}`);
    say('the request in flight was answered: 200');
    const end = await Promise.race([exited, sleep(30_000).then(() => null)]);
    if (!end) fail('Parley did not exit within 30 s of SIGTERM');
    if (end.code !== 0) fail(`Parley exited with ${end.code ?? end.signal}`);
    if (!log.includes('stopped cleanly')) fail('no "stopped cleanly" in the log');
    say('Parley drained and exited 0');
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (process.exitCode) process.stderr.write(`--- Parley's output ---\n${log}\n`);
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err) => {
  if (!process.exitCode) process.stderr.write(`replay failed: ${err.stack || err}\n`);
  process.exitCode = 1;
});
