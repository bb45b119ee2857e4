/**
 * The events topic and the consumer queues subscribed to it, as the shared definitions say
 * (raw delivery, filter policies), encrypted with customer-managed keys with rotation.
 */
import type { Duration } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { SUBSCRIPTIONS, type SubscriptionDefinition } from '../definitions';
import { type QueueWithDlq, queueWithDlq } from './encrypted-queue';

type SubscriptionId = SubscriptionDefinition['id'];

export interface EventDistributionProps {
  /** Each consumer queue's visibility timeout (≥ 6 × its function's timeout). */
  readonly visibilityTimeouts: Record<SubscriptionId, Duration>;
}

function filterPolicyOf(
  definition: SubscriptionDefinition,
): Record<string, sns.SubscriptionFilter> | undefined {
  if (!definition.filterPolicy) return undefined;
  return Object.fromEntries(
    Object.entries(definition.filterPolicy).map(([attribute, allowlist]) => [
      attribute,
      sns.SubscriptionFilter.stringFilter({ allowlist: [...allowlist] }),
    ]),
  );
}

/** Standard SNS topic → SQS queues, encrypted and TLS-only end to end. */
export class EventDistribution extends Construct {
  /** Encrypts the topic; publishers need GenerateDataKey/Decrypt on it. */
  readonly topicKey: kms.Key;
  /** Encrypts the consumer queues and their dead-letter queues. */
  readonly queueKey: kms.Key;
  readonly topic: sns.Topic;
  readonly queues: Record<SubscriptionId, QueueWithDlq>;

  constructor(scope: Construct, id: string, props: EventDistributionProps) {
    super(scope, id);

    // Two keys, not one: the queue key's policy lets SNS use it only for this topic (it names
    // the topic), so the topic cannot also be encrypted with it without a dependency cycle.
    this.topicKey = new kms.Key(this, 'TopicKey', {
      description: 'overdue-sweep events topic',
      enableKeyRotation: true,
    });
    this.queueKey = new kms.Key(this, 'QueueKey', {
      description: 'overdue-sweep consumer queues and their dead-letter queues',
      enableKeyRotation: true,
    });

    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'overdue-sweep events',
      masterKey: this.topicKey,
      enforceSSL: true,
    });

    const entries = SUBSCRIPTIONS.map((definition): [SubscriptionId, QueueWithDlq] => {
      const queues = queueWithDlq(this, `${definition.id}Queue`, {
        key: this.queueKey,
        visibilityTimeout: props.visibilityTimeouts[definition.id],
      });
      const filterPolicy = filterPolicyOf(definition);
      // SqsSubscription also lets SNS use the queue key (scoped to this topic by the
      // restrictSqsDescryption feature flag in cdk.json) and lets the topic send to the queue.
      this.topic.addSubscription(
        new subscriptions.SqsSubscription(queues.queue, {
          rawMessageDelivery: true,
          ...(filterPolicy && { filterPolicy }),
        }),
      );
      return [definition.id, queues];
    });
    this.queues = Object.fromEntries(entries) as Record<SubscriptionId, QueueWithDlq>;
  }
}
