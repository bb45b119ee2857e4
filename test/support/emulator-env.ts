/**
 * Runs in each integration test worker before its tests: points the AWS SDK at the emulators
 * through the SDK's own `AWS_ENDPOINT_URL_*` variables, exactly as a deployed function would be
 * pointed at AWS — the code under test has no endpoint logic.
 */
import { inject } from 'vitest';

Object.assign(process.env, inject('localAwsEnv'));
