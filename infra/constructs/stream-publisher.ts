/**
 * The stream publisher (docs/contract.md, Guarantees and Infrastructure): a Lambda on the loans
 * table's stream (NEW_AND_OLD_IMAGES) that publishes the events each write recorded and reports
 * ACTIVE loans the due index can never bring to the sweep. The event source mapping delivers only
 * writes that record events or write an ACTIVE loan, retries a failed batch from the failed record
 * (bisecting it on error), for up to 20 hours — safely within the stream's 24 h retention — and
 * sends what still fails to an on-failure queue.
 */
import { Duration } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SERVICE_NAMES } from '../../functions/contract/observability';
import { PUBLISHER_STREAM_FILTERS } from '../../functions/contract/tables';
import { deadLetterQueue } from './encrypted-queue';
import { allowPublish } from './permissions';
import { ServiceFunction } from './service-function';

/**
 * Stream records per invocation: up to 100 loans' writes, their events published in PublishBatch
 * calls of at most 10 events and 256 KiB.
 */
export const PUBLISHER_BATCH_SIZE = 100;
/** How long DynamoDB Streams keeps a record: after that it may be trimmed at any moment. */
export const STREAM_RETENTION = Duration.hours(24);
/**
 * How long a record may keep failing before its batch is described in the on-failure queue.
 * Safely under the stream's 24 h: a record trimmed first would vanish with no on-failure message
 * and so no alarm, and the records waiting behind a failing one (the shard holds at it) need
 * time to be published once it is let go. 4 hours of margin dwarfs a retry (a minute's timeout
 * plus backoff) and lets a backlog drain.
 */
export const PUBLISHER_MAX_RECORD_AGE = Duration.hours(20);
/** Retries of a failing batch (bounded in practice by the record age). */
export const PUBLISHER_RETRY_ATTEMPTS = 10_000;
/** Concurrent batches per stream shard (order per loan is kept within a shard's key). */
export const PUBLISHER_PARALLELIZATION = 4;

export interface StreamPublisherProps {
  readonly table: dynamodb.ITable;
  readonly topic: sns.ITopic;
  readonly topicKey: kms.IKey;
  /** Key of the on-failure queue. */
  readonly queueKey: kms.IKey;
  /** The function's environment: exactly the variables it reads (the stack types it). */
  readonly environment: Record<string, string>;
}

/** The publisher function, its event source mapping and its on-failure queue. */
export class StreamPublisher extends Construct {
  readonly service: ServiceFunction;
  /** Where batches that failed for 20 hours are described (shard, sequence numbers). */
  readonly failureQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: StreamPublisherProps) {
    super(scope, id);
    this.service = new ServiceFunction(this, 'Function', {
      entry: 'functions/publisher/handler.ts',
      description: 'overdue-sweep: publishes the events each sweep write recorded',
      serviceName: SERVICE_NAMES.publisher,
      timeout: Duration.minutes(1),
      memorySize: 512,
      environment: props.environment,
    });
    allowPublish(this.service.role, props.topic, props.topicKey);

    this.failureQueue = deadLetterQueue(this, 'FailedBatches', props.queueKey);
    this.service.function.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: PUBLISHER_BATCH_SIZE,
        maxBatchingWindow: Duration.seconds(1),
        parallelizationFactor: PUBLISHER_PARALLELIZATION,
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        retryAttempts: PUBLISHER_RETRY_ATTEMPTS,
        maxRecordAge: PUBLISHER_MAX_RECORD_AGE,
        onFailure: new SqsDlq(this.failureQueue),
        filters: PUBLISHER_STREAM_FILTERS.map((pattern) => lambda.FilterCriteria.filter(pattern)),
      }),
    );
  }
}
