import { defineConfig } from 'vitest/config';

/**
 * Three projects mirroring the source: pure unit tests, integration tests against DynamoDB
 * Local and the SNS/SQS emulator (started once by the global setup), and CDK stack tests. Every
 * file gets a temporary folder for the local run's kept data, never the user's `.local/`.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          setupFiles: ['test/support/local-data-dir.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/support/global-setup.ts'],
          setupFiles: ['test/support/emulator-env.ts', 'test/support/local-data-dir.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          environment: 'node',
          setupFiles: ['test/support/local-data-dir.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
