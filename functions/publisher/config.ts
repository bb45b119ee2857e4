/**
 * The publisher's configuration: the events topic, and the fee policies (`FEE_POLICY`, optional)
 * whose arrears tolerance says which instalments are unpaid. Read at cold start; a missing or
 * malformed variable fails it with a message naming the variable (or the policy's field).
 */
import { ENV, FUNCTION_ENV } from '../contract/environment';
import type { PolicyBook } from '../core/types';
import { type Env, EnvironmentReader } from '../shared/environment';

export interface PublisherConfig {
  readonly eventsTopicArn: string;
  readonly policyBook: PolicyBook;
}

/**
 * Reads the publisher's configuration from `env` (usually `process.env`).
 * @throws ConfigError naming each missing or invalid variable.
 */
export function loadPublisherConfig(env: Env): PublisherConfig {
  const reader = new EnvironmentReader('publisher', env);
  const eventsTopicArn = reader.required(ENV.eventsTopicArn);
  if (eventsTopicArn && !eventsTopicArn.startsWith('arn:')) {
    reader.problem(`${ENV.eventsTopicArn}: not an ARN`);
  }
  const policyBook = reader.policyBook();
  reader.assertValid();
  return { eventsTopicArn, policyBook };
}

/** The variables the publisher reads. */
export const PUBLISHER_ENV_VARS = FUNCTION_ENV.publisher;
