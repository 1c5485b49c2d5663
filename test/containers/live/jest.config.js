// `npm run test:containers`: the stack on a real Docker engine. Kept out of `npm test` (whose
// testMatch is *.test.ts): it builds images and takes minutes.
const base = require('../../../jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  rootDir: '../../..',
  testMatch: ['<rootDir>/test/containers/live/*.containers.ts'],
  // Building the images from scratch and starting the stack take minutes, not seconds.
  testTimeout: 15 * 60_000,
};
