/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
  testMatch: ['<rootDir>/{functions,kit,host,bridge,tools,simulator,dashboard,test}/**/*.test.ts'],
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
  testTimeout: 60000,
  // A test that leaves a socket or timer open fails the run instead of hanging it.
  detectOpenHandles: true,
  forceExit: false,
};
