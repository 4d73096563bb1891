// Unit tests are pure and fast; integration tests share one real Hazelcast member started in globalSetup.
const transform = { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2023' } }] };

/** @type {import('jest').Config} */
module.exports = {
  reporters: ['default', '<rootDir>/tests/support/summary-reporter.js'],
  // Integration tests start real processes; Jest reads this option globally, not per project.
  testTimeout: 60000,
  projects: [
    {
      displayName: 'unit',
      testMatch: ['<rootDir>/tests/unit/**/*.test.ts'],
      transform,
      testEnvironment: 'node',
    },
    {
      displayName: 'integration',
      testMatch: ['<rootDir>/tests/integration/**/*.test.ts'],
      transform,
      testEnvironment: 'node',
      globalSetup: '<rootDir>/tests/support/global-setup.ts',
      globalTeardown: '<rootDir>/tests/support/global-teardown.ts',
    },
  ],
};
