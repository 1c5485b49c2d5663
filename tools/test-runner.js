#!/usr/bin/env node
// `npm test` entry: compiles the project (the tests spawn compiled code from dist/), then hands
// over to the compiled runner, which provisions Postgres, RabbitMQ and Chromium and runs jest.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
const result = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.json')], {
  stdio: 'inherit',
  cwd: root,
});
if (result.status !== 0) process.exit(result.status ?? 1);
require(path.join(root, 'dist', 'tools', 'test-runner', 'main.js'));
