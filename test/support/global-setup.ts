/**
 * Vitest global setup for the integration project: starts DynamoDB Local and the SNS/SQS
 * emulator once, hands their endpoints to the test workers, and stops them at the end —
 * also when tests fail or the run is interrupted (the DynamoDB Local guard kills Java when
 * this process goes away, however it goes).
 */
import type { TestProject } from 'vitest/node';
import { type LocalAws, startLocalAws } from '../../local/emulators';

declare module 'vitest' {
  export interface ProvidedContext {
    localAwsEnv: Record<string, string>;
  }
}

let localAws: LocalAws | undefined;

async function stop() {
  const running = localAws;
  localAws = undefined;
  await running?.stop();
}

export async function setup(project: TestProject) {
  localAws = await startLocalAws();
  project.provide('localAwsEnv', localAws.env);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void stop().finally(() => process.exit(130));
    });
  }
}

export async function teardown() {
  await stop();
}
