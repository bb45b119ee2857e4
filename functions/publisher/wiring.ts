/**
 * The one assembly of the stream publisher. The handler, `npm start`, the bench and the tests all
 * build it here; they vary the clients and the configuration, never the assembly. This is the only
 * module of `functions/publisher/` that knows the adapters.
 */
import { SNSClient } from '@aws-sdk/client-sns';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { RetryPolicy } from '../adapters/retry';
import { createSnsPublisher } from '../adapters/sns-publisher';
import { readLoanTableWrite } from '../adapters/stream-records';
import type { PublisherConfig } from './config';
import type { EventPublisher } from './ports';
import { type BatchReport, createPublisherService } from './service';

/**
 * What the publisher publishes through: SNS (its endpoint from the SDK's own variables), or an
 * EventPublisher given directly (a test's in-memory twin).
 */
export type PublisherClients = { readonly sns: SNSClient } | { readonly events: EventPublisher };

/** What callers may vary besides clients and configuration. */
export interface PublisherOptions {
  /** Told what each batch did (the handler emits metrics and logs from it). */
  readonly report?: (report: BatchReport) => void;
  /** Retries of events SNS failed for a passing reason. */
  readonly publishRetry?: RetryPolicy;
}

/** The stream handler as Lambda invokes it: a batch in, the record to retry from out. */
export type StreamPublisher = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;

/** The AWS clients of a deployed publisher: one for the life of the execution environment. */
export function awsClients(): PublisherClients {
  return { sns: new SNSClient({}) };
}

/** Builds the publisher on `clients` for `config`. */
export function createPublisher(
  clients: PublisherClients,
  config: PublisherConfig,
  options: PublisherOptions = {},
): StreamPublisher {
  const publisher =
    'events' in clients
      ? clients.events
      : createSnsPublisher(clients.sns, config.eventsTopicArn, options.publishRetry);
  const publish = createPublisherService({ publisher, policyBook: config.policyBook });
  return async (event) => {
    const records: unknown = event?.Records;
    if (!Array.isArray(records))
      throw new TypeError('not a DynamoDB stream event: no Records list');
    const report = await publish(records.map(readLoanTableWrite));
    options.report?.(report);
    return {
      batchItemFailures:
        report.retryFrom === undefined ? [] : [{ itemIdentifier: report.retryFrom }],
    };
  };
}
