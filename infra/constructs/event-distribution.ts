/**
 * The events topic and the consumer queues subscribed to it, as the shared definitions say
 * (raw delivery, filter policies), encrypted with customer-managed keys with rotation.
 */
import { type Duration, Lazy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SUBSCRIPTIONS, type SubscriptionDefinition } from '../../functions/contract/events';
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

/**
 * Standard SNS topic → SQS queues, encrypted and TLS-only end to end. Only the roles named with
 * `allowPublisher` may publish to the topic, and only the topic may send to the consumer queues
 * (docs/contract.md, Infrastructure): a forged event would be rendered into a borrower's reminder.
 */
export class EventDistribution extends Construct {
  /** Encrypts the topic; publishers need GenerateDataKey/Decrypt on it. */
  readonly topicKey: kms.Key;
  /** Encrypts the consumer queues and their dead-letter queues. */
  readonly queueKey: kms.Key;
  readonly topic: sns.Topic;
  readonly queues: Record<SubscriptionId, QueueWithDlq>;
  private readonly publishers: iam.IRole[] = [];

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
    // An identity policy of any principal in the account could otherwise allow sns:Publish here:
    // deny every principal but the named publisher roles (resolved at synth, see allowPublisher).
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyNamedPublishers',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          ArnNotEquals: {
            'aws:PrincipalArn': Lazy.list({
              produce: () => this.publishers.map((role) => role.roleArn),
            }),
          },
        },
      }),
    );
    this.node.addValidation({
      validate: () =>
        this.publishers.length > 0
          ? []
          : ['EventDistribution: no publisher role named; call allowPublisher(role)'],
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
      onlyTheTopicSends(queues.queue, this.topic);
      return [definition.id, queues];
    });
    this.queues = Object.fromEntries(entries) as Record<SubscriptionId, QueueWithDlq>;
  }

  /**
   * Lets `role` publish to the topic: adds it to the principals the topic policy does not deny.
   * The role still needs its identity grant (`allowPublish` in permissions.ts).
   */
  allowPublisher(role: iam.IRole): void {
    this.publishers.push(role);
  }
}

/**
 * Denies sqs:SendMessage on `queue` to everyone but `topic`. SqsSubscription allows the topic
 * (`sns.amazonaws.com` with `aws:SourceArn` = the topic), but an identity policy in the account
 * could allow anyone else. Left alone: requests SQS makes on a principal's behalf (an operator's
 * dead-letter redrive back into this queue), and the dead-letter queues, into which SQS moves
 * failed messages itself.
 */
function onlyTheTopicSends(queue: sqs.IQueue, topic: sns.ITopic): void {
  queue.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'OnlyTheTopicSends',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['sqs:SendMessage'],
      resources: [queue.queueArn],
      conditions: {
        ArnNotEquals: { 'aws:SourceArn': topic.topicArn },
        Bool: { 'aws:ViaAWSService': 'false' },
      },
    }),
  );
}
