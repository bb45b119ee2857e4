/**
 * An in-memory twin of the stream publisher's EventPublisher port, for unit tests: it accepts every
 * event except those a test refuses, permanently (the topic can never accept it) or for now (a
 * passing failure), and remembers what it was asked to publish. Like the SNS adapter, with
 * `stopAfterFailure` it sends nothing after the first event still failing for now — unless told to
 * act as a single call of the adapter (`oneCall`), whose other events SNS accepts along with the
 * failure.
 */
import type { EventEnvelope } from '../../functions/core/types';
import type { EventPublisher, PublishFailure } from '../../functions/publisher/ports';

/** How the twin answers for one event id: accepted (undefined), or refused. */
export type Refusal = 'permanent' | 'passing' | undefined;

export function inMemoryPublisher(
  refuse: (id: string) => Refusal = () => undefined,
  twin: { readonly oneCall?: boolean } = {},
) {
  /** Every publish call, as the ids it was given. */
  const calls: string[][] = [];
  /** Every event the twin accepted, in order, duplicates included. */
  const accepted: EventEnvelope[] = [];
  const publisher: EventPublisher = {
    async publish(events, options = {}) {
      calls.push(events.map((event) => event.id));
      const seen = new Set<string>();
      const ok: string[] = [];
      const failed: PublishFailure[] = [];
      const unsent: string[] = [];
      let stopped = false;
      for (const event of events) {
        if (seen.has(event.id)) continue;
        seen.add(event.id);
        if (stopped) {
          unsent.push(event.id);
          continue;
        }
        const refusal = refuse(event.id);
        if (refusal === undefined) {
          ok.push(event.id);
          accepted.push(event);
        } else {
          const permanent = refusal === 'permanent';
          failed.push({
            id: event.id,
            reason: permanent ? 'InvalidParameter: Message too long' : 'Throttled: injected',
            permanent,
          });
          if (!permanent && options.stopAfterFailure && !twin.oneCall) stopped = true;
        }
      }
      return { accepted: ok, failed, unsent, calls: calls.length };
    },
  };
  return { publisher, calls, accepted };
}
