/**
 * SQS queues as this stack makes them: KMS-encrypted with a customer-managed key, TLS enforced,
 * and, for a working queue, a dead-letter queue after a bounded number of receives.
 */
import { Duration } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/** Receives before a message moves to the dead-letter queue. */
export const MAX_RECEIVE_COUNT = 5;

/** How long a dead-letter queue keeps a message: the SQS maximum, time enough to investigate. */
export const DEAD_LETTER_RETENTION = Duration.days(14);

/** A dead-letter queue (itself without one). */
export function deadLetterQueue(scope: Construct, id: string, key: kms.IKey): sqs.Queue {
  return new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: key,
    enforceSSL: true,
    retentionPeriod: DEAD_LETTER_RETENTION,
  });
}

/** A working queue and its dead-letter queue. */
export interface QueueWithDlq {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
}

/** A working queue `id` with dead-letter queue `${id}Dlq`. */
export function queueWithDlq(
  scope: Construct,
  id: string,
  props: { key: kms.IKey; visibilityTimeout: Duration },
): QueueWithDlq {
  const dlq = deadLetterQueue(scope, `${id}Dlq`, props.key);
  const queue = new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: props.key,
    enforceSSL: true,
    visibilityTimeout: props.visibilityTimeout,
    deadLetterQueue: { queue: dlq, maxReceiveCount: MAX_RECEIVE_COUNT },
  });
  return { queue, deadLetterQueue: dlq };
}
