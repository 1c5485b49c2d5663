// `npm run test:swarm`: infra/swarm/stack.yml on a real Docker engine in swarm mode, under load,
// through five faults. Kept out of `npm test` (whose testMatch is *.test.ts): it takes minutes.
const base = require('../../jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  rootDir: '../..',
  testMatch: ['<rootDir>/test/swarm/live/*.swarm.ts'],
  // Building the images and forming the cluster take minutes; each fault up to a few.
  testTimeout: 10 * 60_000,
};
