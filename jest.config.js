/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', isolatedModules: true }] },
  testTimeout: 30000,
  // Jest's default is one worker per core minus one: a single worker on a 2-core machine. Much of the suite
  // waits on child processes (the server, Chromium), so one worker per core halves the wall time.
  maxWorkers: '100%',
};
