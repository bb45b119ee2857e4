/** Small checks on untrusted values (items, payloads, messages), shared by every parser. */

/** True for a plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const THROTTLING = /Throttl|ProvisionedThroughputExceeded|RequestLimitExceeded|TooManyRequests/;

/**
 * A short reason for an error that survived the SDK's retries: `throttled: …` or `error: …`, its
 * name and at most `limit` characters of its message (SDK messages can quote request data).
 */
export function describeError(error: unknown, limit = 120): string {
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  const short = message.length <= limit ? message : `${message.slice(0, limit - 1)}…`;
  const kind = THROTTLING.test(`${name} ${message}`) ? 'throttled' : 'error';
  return `${kind}: ${name}: ${short}`;
}
