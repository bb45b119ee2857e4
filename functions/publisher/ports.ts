/**
 * What the stream publisher needs from the outside world, in its own words (a port is declared by
 * its user): a way to publish events that says, for each one, whether the topic accepted it, can
 * never accept it, or failed it for now. The SNS adapter implements it; tests may give an in-memory
 * twin. Nothing here knows a batch limit, a message size or an SNS error code.
 */
import type { EventEnvelope, LoanParseResult } from '../core/types';

/** An event the topic did not accept, with the reason it gave (bounded, no event data). */
export interface PublishFailure {
  readonly id: string;
  readonly reason: string;
  /**
   * True when the topic can never accept the event as it is (its message is too large, or refused
   * as invalid): trying again cannot help. False for a passing failure (throttling, an outage, an
   * entry without an answer), which is worth retrying.
   */
  readonly permanent: boolean;
}

/** What publishing a set of events did: every distinct id is in exactly one of the lists. */
export interface PublishResult {
  readonly accepted: readonly string[];
  /** Not accepted, after the retries the publisher does itself for passing failures. */
  readonly failed: readonly PublishFailure[];
  /** Never sent, because an earlier event still failed (only with `stopAfterFailure`). */
  readonly unsent: readonly string[];
  /** Calls made to the topic, retries included. */
  readonly calls: number;
}

/** How to publish. */
export interface PublishOptions {
  /**
   * Send the events in the order given and stop once some still fail for a passing reason after
   * the retries: events of later calls are then left unsent, so a caller that will be handed them
   * again (a stream retried from its first failed record) does not send them twice.
   */
  readonly stopAfterFailure?: boolean;
}

/** Publishes events; never throws for the topic's failures, it reports them per event. */
export interface EventPublisher {
  /** Publishes `events` (any number; an id given twice is sent once). */
  publish(events: readonly EventEnvelope[], options?: PublishOptions): Promise<PublishResult>;
}

/** An index key of an ACTIVE loan that the due index cannot use. */
export interface IndexKeyFault {
  readonly attribute: 'sweepShard' | 'nextDueDate';
  /** Names the attribute and the problem, e.g. `sweepShard: 16 is outside 0–15`. */
  readonly reason: string;
}

/** What the publisher needs to know of the item a write left behind (its new image). */
export interface WrittenItem {
  /** `status` as written, when it is a string. */
  readonly status?: string;
  /** The index keys at fault; empty when the due index can bring the item to the sweep. */
  readonly keyFaults: readonly IndexKeyFault[];
  /**
   * Only when a key is at fault: the loan read with its index keys set aside, to tell whether an
   * instalment is unpaid, or why it cannot be read.
   */
  readonly loan?: LoanParseResult;
}

/** The events a write recorded (in its new outbox, not in its old one), or why they are unreadable. */
export type RecordedEvents =
  | { readonly ok: true; readonly events: readonly EventEnvelope[] }
  | { readonly ok: false; readonly reason: string };

/** One write of the loans table as its stream tells it, read at the edge. */
export interface LoanTableWrite {
  /** The stream record's sequence number: what a batch item failure names. */
  readonly sequenceNumber?: string;
  /** The item's key, when it can be read. */
  readonly loanId?: string;
  readonly recorded: RecordedEvents;
  /** The item after the write; absent for a delete. */
  readonly written?: WrittenItem;
}
