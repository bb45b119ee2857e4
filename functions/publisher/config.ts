/**
 * The publisher's configuration (SPEC §9): the events topic only. Read at cold start; a missing or
 * malformed variable fails it with a message naming the variable.
 */
import { ENV, FUNCTION_ENV } from '../contract/environment';
import { type Env, EnvironmentReader } from '../shared/environment';

export interface PublisherConfig {
  readonly eventsTopicArn: string;
}

/**
 * Reads the publisher's configuration from `env` (usually `process.env`).
 * @throws ConfigError naming the missing or invalid variable.
 */
export function loadPublisherConfig(env: Env): PublisherConfig {
  const reader = new EnvironmentReader('publisher', env);
  const eventsTopicArn = reader.required(ENV.eventsTopicArn);
  if (eventsTopicArn && !eventsTopicArn.startsWith('arn:')) {
    reader.problem(`${ENV.eventsTopicArn}: not an ARN`);
  }
  reader.assertValid();
  return { eventsTopicArn };
}

/** The variables the publisher reads. */
export const PUBLISHER_ENV_VARS = FUNCTION_ENV.publisher;
