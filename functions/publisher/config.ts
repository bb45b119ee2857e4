/**
 * The publisher's configuration (SPEC §9): the events topic only. Read at cold start; a missing or
 * malformed variable fails it with a message naming the variable.
 */
import { ENV_VARS } from '../../infra/definitions';
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
  const eventsTopicArn = reader.required(ENV_VARS.eventsTopicArn);
  if (eventsTopicArn && !eventsTopicArn.startsWith('arn:')) {
    reader.problem(`${ENV_VARS.eventsTopicArn}: not an ARN`);
  }
  reader.assertValid();
  return { eventsTopicArn };
}

/** The variables the publisher reads. */
export const PUBLISHER_ENV_VARS = [ENV_VARS.eventsTopicArn] as const;
