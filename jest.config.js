/** Tests run the TypeScript sources through SWC; `npm run typecheck` is the type gate. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test', '<rootDir>/mappings'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs', ignoreDynamic: true } }],
  },
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  testTimeout: 60000,
  maxWorkers: process.env.CI ? 2 : '50%',
  // Each file leaves ~40 MB in its worker, and a large worker takes longer to go than jest's
  // default half second: see docs/testing.md.
  workerIdleMemoryLimit: '1GB',
  workerGracefulExitTimeout: 5000,
};
