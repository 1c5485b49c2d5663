#!/usr/bin/env node
'use strict';
/**
 * `npm run func`: the functions under Azure Functions Core Tools (`func start`), with Azurite
 * for AzureWebJobsStorage. Plain Node (no build needed to run it) because it runs the build.
 * Without Core Tools, `npm run host` serves the same functions with the project's own host.
 */
const { spawn, spawnSync } = require('node:child_process');
const { accessSync, constants, copyFileSync, existsSync, mkdirSync } = require('node:fs');
const net = require('node:net');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const AZURITE = 'azurite@3.35.0';
const AZURITE_BLOB_PORT = 10000;
const FUNC_PORT = '5000';

const HELP = `Usage: npm run func [-- <extra func start arguments>]

Builds the project, starts Azurite (${AZURITE}, data in .data/azurite) for AzureWebJobsStorage,
and runs \`func start --port ${FUNC_PORT}\` (Azure Functions Core Tools v4). Ctrl-C stops both.
local.settings.json is created from local.settings.example.json if it does not exist
(an existing one is never overwritten).

Needs: Azure Functions Core Tools v4 on PATH (\`func\`), Postgres and RabbitMQ as configured in
local.settings.json. Without Core Tools, \`npm run host\` runs the same functions.`;

const MISSING_FUNC = `Azure Functions Core Tools v4 (\`func\`) was not found on PATH.
Install it, then run \`npm run func\` again:
  npm install -g azure-functions-core-tools@4
  (or see https://learn.microsoft.com/azure/azure-functions/functions-run-local)
Without Core Tools, \`npm run host\` serves the same functions on the same port.`;

class LaunchError extends Error {}

/** The first executable named `name` in PATH (with PATHEXT suffixes on Windows), or null. */
function findOnPath(name, env = process.env) {
  const dirs = (env.PATH ?? '').split(path.delimiter).filter(Boolean);
  const suffixes = process.platform === 'win32' ? ['', ...(env.PATHEXT ?? '.EXE;.CMD').split(';')] : [''];
  for (const dir of dirs) {
    for (const suffix of suffixes) {
      const candidate = path.join(dir, name + suffix);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here; keep looking
      }
    }
  }
  return null;
}

/** Throws unless `func --version` reports a 4.x release. */
function checkCoreToolsVersion(funcPath) {
  const result = spawnSync(funcPath, ['--version'], { encoding: 'utf8', shell: process.platform === 'win32' });
  const version = (result.stdout ?? '').trim();
  if (result.status !== 0 || !/^4\./.test(version)) {
    throw new LaunchError(
      `\`func --version\` reported "${version || (result.stderr ?? '').trim() || 'nothing'}"; Azure Functions Core Tools v4 is required.\n` +
        'Install it with: npm install -g azure-functions-core-tools@4\n' +
        'Without Core Tools, `npm run host` serves the same functions.',
    );
  }
  return version;
}

function npmCommand(name = 'npm') {
  return process.platform === 'win32' ? `${name}.cmd` : name;
}

function build() {
  console.log('> npm run build');
  const result = spawnSync(npmCommand(), ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new LaunchError('the build failed (see the tsc output above)');
}

/** Creates local.settings.json from the example when missing; never overwrites it. */
function ensureLocalSettings() {
  const target = path.join(ROOT, 'local.settings.json');
  if (existsSync(target)) return;
  const example = path.join(ROOT, 'local.settings.example.json');
  if (!existsSync(example))
    throw new LaunchError('local.settings.json is missing and there is no local.settings.example.json to copy');
  copyFileSync(example, target);
  console.log('created local.settings.json from local.settings.example.json');
}

function portOpen(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Starts Azurite in its own process group (so it can be stopped as a whole) and waits for it. */
async function startAzurite() {
  if (await portOpen(AZURITE_BLOB_PORT)) {
    console.log(`port ${AZURITE_BLOB_PORT} is already open: using the Azurite (or emulator) that is running there`);
    return null;
  }
  const location = path.join(ROOT, '.data', 'azurite');
  mkdirSync(location, { recursive: true });
  console.log(`> npx --yes ${AZURITE} --silent --disableTelemetry --location .data/azurite`);
  const child = spawn(npmCommand('npx'), ['--yes', AZURITE, '--silent', '--disableTelemetry', '--location', location], {
    cwd: ROOT,
    stdio: 'inherit',
    detached: process.platform !== 'win32',
  });
  let exited = null;
  child.once('exit', (code, signal) => {
    exited = signal ?? code;
  });
  // npx may first download Azurite.
  const deadline = Date.now() + 120_000;
  while (!(await portOpen(AZURITE_BLOB_PORT))) {
    if (exited !== null) throw new LaunchError(`Azurite exited before listening (${exited})`);
    if (Date.now() > deadline) {
      stopChild(child);
      throw new LaunchError(`Azurite did not listen on ${AZURITE_BLOB_PORT} within 120 s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  console.log(`Azurite listening on ${AZURITE_BLOB_PORT}-${AZURITE_BLOB_PORT + 2}`);
  return child;
}

/** Stops a child and, on POSIX, its process group (npx runs Azurite as a grandchild). */
function stopChild(child, signal = 'SIGTERM') {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  try {
    if (process.platform !== 'win32' && child.pid) process.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    // already gone
  }
}

function runFunc(funcPath, extraArgs) {
  const args = ['start', '--port', FUNC_PORT, ...extraArgs];
  console.log(`> func ${args.join(' ')}`);
  return spawn(funcPath, args, { cwd: ROOT, stdio: 'inherit', shell: process.platform === 'win32' });
}

async function main(argv) {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(HELP);
    return 0;
  }
  const funcPath = findOnPath('func');
  if (!funcPath) throw new LaunchError(MISSING_FUNC);
  console.log(`Azure Functions Core Tools ${checkCoreToolsVersion(funcPath)}`);
  build();
  ensureLocalSettings();
  const azurite = await startAzurite();

  const func = runFunc(funcPath, argv);
  let stopping = false;
  const stop = (signal) => {
    if (stopping) return;
    stopping = true;
    // func gets the terminal's Ctrl-C itself; a SIGTERM sent to this process is passed on.
    if (signal === 'SIGTERM') func.kill('SIGTERM');
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  const code = await new Promise((resolve) => {
    func.once('error', (error) => {
      console.error(`could not run func: ${error.message}`);
      resolve(1);
    });
    func.once('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 0 : 1)));
  });
  if (azurite && azurite.exitCode === null && azurite.signalCode === null) {
    const gone = new Promise((resolve) => azurite.once('exit', resolve));
    stopChild(azurite);
    const force = setTimeout(() => stopChild(azurite, 'SIGKILL'), 5_000);
    await gone;
    clearTimeout(force);
    console.log('Azurite stopped');
  }
  return code;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      const message = error instanceof Error ? error.message : String(error);
      console.error(error instanceof LaunchError ? message : `npm run func failed: ${message}`);
      process.exit(1);
    },
  );
}

module.exports = { findOnPath };
