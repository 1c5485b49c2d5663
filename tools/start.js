#!/usr/bin/env node
// `npm start` entry: compiles the project first when it has never been built, then hands over
// to the compiled orchestrator (which rebuilds whatever is stale).
'use strict';
const { existsSync } = require('node:fs');
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const main = path.join(root, 'dist', 'tools', 'start', 'main.js');
if (!existsSync(main)) {
  console.log('[start]      first run: compiling (tsc)…');
  const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
  const result = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.json')], {
    stdio: 'inherit',
    cwd: root,
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
require(main);
