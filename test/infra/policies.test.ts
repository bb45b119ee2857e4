/**
 * Resource policies (docs/contract.md, Infrastructure): CloudWatch alarms of this account may publish to the alarm topic
 * (and use its key); only the named roles may publish events; only the events topic may send to
 * the consumer queues.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import { EventDistribution } from '../../infra/constructs/event-distribution';
import { logicalId, render, type Synthesized, synthesize } from './synth';

type Statement = {
  Sid?: string;
  Effect: string;
  Principal?: unknown;
  Action: string | string[];
  Resource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
};

let synth: Synthesized;
const ids: Record<string, string> = {};

beforeAll(() => {
  synth = synthesize();
  const { stack } = synth;
  Object.assign(ids, {
    topic: logicalId(stack, stack.events.topic),
    alarmTopic: logicalId(stack, stack.alarms.topic),
    reminderQueue: logicalId(stack, stack.events.queues.Reminder.queue),
    reportingQueue: logicalId(stack, stack.events.queues.Reporting.queue),
    reminderDlq: logicalId(stack, stack.events.queues.Reminder.deadLetterQueue),
    reportingDlq: logicalId(stack, stack.events.queues.Reporting.deadLetterQueue),
    sweepRole: logicalId(stack, stack.sweep.role),
    publisherRole: logicalId(stack, stack.publisher.service.role),
  });
});

function statementsOf(template: Template, type: string, listKey: string, id: string): Statement[] {
  const policies = Object.values(template.findResources(type)).filter((p) =>
    (p.Properties[listKey] as unknown[]).some((ref) => render(ref) === `<${id}>`),
  );
  expect(policies, `one ${type} on ${id}`).toHaveLength(1);
  return policies[0]?.Properties.PolicyDocument.Statement as Statement[];
}

const topicStatements = (id: string) =>
  statementsOf(synth.template, 'AWS::SNS::TopicPolicy', 'Topics', id);
const queueStatements = (id: string) =>
  statementsOf(synth.template, 'AWS::SQS::QueuePolicy', 'Queues', id);
const alarmArnPattern = 'arn:<AWS::Partition>:cloudwatch:<AWS::Region>:<AWS::AccountId>:alarm:*';

/** The statement's conditions with every value rendered (`<Ref>`, joins) for comparison. */
function conditionsOf(statement: Statement | undefined): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    Object.entries(statement?.Condition ?? {}).map(([operator, keys]) => [
      operator,
      Object.fromEntries(
        Object.entries(keys).map(([key, value]) => [
          key,
          Array.isArray(value) ? value.map(render) : render(value),
        ]),
      ),
    ]),
  );
}

describe('the alarm topic', () => {
  it('lets CloudWatch alarms of this account and region publish, besides the TLS deny', () => {
    const statements = topicStatements(ids.alarmTopic ?? '');
    const allow = statements.filter((s) => s.Effect === 'Allow');
    expect(allow).toHaveLength(1);
    expect(allow[0]).toMatchObject({
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: 'sns:Publish',
      Resource: { Ref: ids.alarmTopic },
    });
    expect(conditionsOf(allow[0])).toEqual({
      StringEquals: { 'aws:SourceAccount': '<AWS::AccountId>' },
      ArnLike: { 'aws:SourceArn': alarmArnPattern },
    });
    expect(statements.some((s) => s.Condition?.Bool?.['aws:SecureTransport'] === 'false')).toBe(
      true,
    );
  });

  it("lets CloudWatch use the topic's key only for alarms of this account and region", () => {
    const keys = Object.values(synth.template.findResources('AWS::KMS::Key'));
    const statements = keys.flatMap((k) => k.Properties.KeyPolicy.Statement as Statement[]);
    const cloudWatch = statements.filter(
      (s) =>
        (s.Principal as { Service?: string } | undefined)?.Service === 'cloudwatch.amazonaws.com',
    );
    expect(cloudWatch).toHaveLength(1);
    expect(conditionsOf(cloudWatch[0])).toEqual({
      StringEquals: { 'aws:SourceAccount': '<AWS::AccountId>' },
      ArnLike: { 'aws:SourceArn': alarmArnPattern },
    });
  });
});

describe('the events topic', () => {
  it('denies sns:Publish to every principal but the stream publisher role, keeping the TLS deny', () => {
    const statements = topicStatements(ids.topic ?? '');
    const publishDenies = statements.filter(
      (s) => s.Effect === 'Deny' && s.Action === 'sns:Publish',
    );
    expect(publishDenies).toHaveLength(2);
    const onlyPublishers = publishDenies.find((s) => s.Sid === 'OnlyNamedPublishers');
    expect(onlyPublishers?.Principal).toEqual({ AWS: '*' });
    expect(conditionsOf(onlyPublishers)).toEqual({
      ArnNotEquals: {
        'aws:PrincipalArn': [`<${ids.publisherRole}.Arn>`],
      },
    });
    expect(statements.some((s) => s.Effect === 'Allow')).toBe(false);
  });

  it('takes another publisher role with one call, and refuses to synthesize with none', () => {
    const build = (publishers: number) => {
      const stack = new Stack(new App(), 'Probe');
      const events = new EventDistribution(stack, 'Events', {
        visibilityTimeouts: { Reminder: Duration.minutes(3), Reporting: Duration.minutes(3) },
      });
      for (let i = 0; i < publishers; i++) {
        events.allowPublisher(
          new iam.Role(stack, `Publisher${i}`, {
            assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
          }),
        );
      }
      return stack;
    };
    const stack = build(2);
    const statements = statementsOf(
      Template.fromStack(stack),
      'AWS::SNS::TopicPolicy',
      'Topics',
      logicalId(stack, stack.node.findChild('Events').node.findChild('Topic')),
    );
    const deny = statements.find((s) => s.Sid === 'OnlyNamedPublishers');
    expect(conditionsOf(deny).ArnNotEquals?.['aws:PrincipalArn']).toHaveLength(2);

    const none = build(0);
    expect(() => Template.fromStack(none)).toThrow(/no publisher role named/);
  });
});

describe('the consumer queues', () => {
  it.each([
    ['reminder', 'reminderQueue'],
    ['reporting', 'reportingQueue'],
  ])('only the events topic may send to the %s queue', (_name, queue) => {
    const id = ids[queue] ?? '';
    const statements = queueStatements(id);
    // What SqsSubscription grants: SNS, for this topic only.
    const allow = statements.filter((s) => s.Effect === 'Allow');
    expect(allow).toHaveLength(1);
    expect(allow[0]).toMatchObject({
      Principal: { Service: 'sns.amazonaws.com' },
      Action: 'sqs:SendMessage',
    });
    expect(conditionsOf(allow[0])).toEqual({ ArnEquals: { 'aws:SourceArn': `<${ids.topic}>` } });
    // What this stack adds: nobody else, whatever their identity policy says.
    const deny = statements.find((s) => s.Sid === 'OnlyTheTopicSends');
    expect(deny).toMatchObject({
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'sqs:SendMessage',
      Resource: { 'Fn::GetAtt': [id, 'Arn'] },
    });
    expect(conditionsOf(deny)).toEqual({
      ArnNotEquals: { 'aws:SourceArn': `<${ids.topic}>` },
      // Not a request SQS makes for an operator (a dead-letter redrive back into the queue).
      Bool: { 'aws:ViaAWSService': 'false' },
    });
  });

  it('leaves the dead-letter queues open to SQS moving failed messages (TLS deny only)', () => {
    for (const dlq of [ids.reminderDlq, ids.reportingDlq]) {
      const statements = queueStatements(dlq ?? '');
      expect(statements.map((s) => [s.Effect, s.Action])).toEqual([['Deny', 'sqs:*']]);
      expect(statements[0]?.Condition).toEqual({ Bool: { 'aws:SecureTransport': 'false' } });
    }
  });
});
