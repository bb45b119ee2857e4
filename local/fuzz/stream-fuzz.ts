/**
 * The stream publisher's fuzz property on the emulators, shared by the test suite and `npm run
 * fuzz`: the publisher, built by its wiring on an SNS client that enforces SNS's limits as SNS
 * does, gets random batches of loans-table stream records (see `stream-records.ts`). It never
 * throws and never asks for a retry (nothing here fails for a passing reason); every event a write
 * added reaches the topic exactly once; an event too large for SNS is tried once and reported; a
 * write whose events cannot be read is reported and publishes nothing; each unreachable loan is
 * reported with its attribute, and no other; no personal value reaches a log line.
 */
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { DeleteMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { parsePolicyBook } from '../../functions/core/policy';
import { publisherMetrics } from '../../functions/publisher/metrics';
import type { BatchReport } from '../../functions/publisher/service';
import { createPublisher } from '../../functions/publisher/wiring';
import { drainQueue } from '../fixtures/aws';
import { snsWithLimits } from '../fixtures/sns-limits';
import { clients, envelopes, recordingLog } from '../fixtures/sweep';
import type { LocalResources } from '../local-resources';
import type { StreamCase } from './stream-records';
import { Tally, withTimeout } from './tally';

const HANDLER_TIMEOUT_MS = 60_000;

const sequenceOf = (record: unknown): string | undefined => {
  const dynamodb = (record as { dynamodb?: { SequenceNumber?: unknown } } | null)?.dynamodb;
  return typeof dynamodb?.SequenceNumber === 'string' ? dynamodb.SequenceNumber : undefined;
};

const sorted = (values: Iterable<string>) => [...values].sort();
const same = (a: Iterable<string>, b: Iterable<string>) =>
  JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
const shortList = (values: Iterable<string>) =>
  sorted(values)
    .map((value) => value.slice(0, 60))
    .join(', ')
    .slice(0, 300);

/** The publisher's property on `resources`; `check` hands it one batch and judges the outcome. */
export async function createStreamFuzz(resources: LocalResources, tally = new Tally('stream')) {
  const limited = snsWithLimits();
  const log = recordingLog();
  const quietMetrics = { addMetric: () => {} } as unknown as Metrics;
  const observe = publisherMetrics(log, quietMetrics);
  let last: BatchReport | undefined;
  const publish = createPublisher(
    { sns: limited.sns },
    { eventsTopicArn: resources.events.topicArn, policyBook: parsePolicyBook(undefined) },
    {
      report: (report) => {
        last = report;
        observe(report);
      },
    },
  );
  let batch = 0;

  return {
    tally,
    /** Hands one batch (built for the next batch number) to the publisher and judges it. */
    async check(build: (batch: number) => StreamCase[]) {
      const cases = build(batch++);
      const check = tally.begin(cases.map(({ kind, record }) => ({ kind, record })));
      tally.count('batches');
      tally.count('records tried', cases.length);
      for (const { kind } of cases) tally.count(`${kind} records`);
      const callsBefore = limited.calls.length;
      const linesBefore = log.lines.length;
      last = undefined;
      const event = { Records: cases.map((c) => c.record) } as DynamoDBStreamEvent;
      try {
        const answer = await withTimeout(publish(event), HANDLER_TIMEOUT_MS);
        if (answer.batchItemFailures.length > 0) {
          check.violate(
            'retried',
            `asked to retry from ${JSON.stringify(answer.batchItemFailures)}`,
          );
        }
      } catch (error) {
        tally.count('crashes');
        const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        check.violate('crash', `the publisher threw ${text.slice(0, 300)}`);
        return check.done();
      }
      const report = last as BatchReport | undefined;
      if (!report) {
        check.violate('no-report', 'the batch reported nothing');
        return check.done();
      }

      // Every added event on the topic exactly once; nothing else.
      const queueUrl = resources.events.queues.Reporting.queueUrl;
      const messages = await drainQueue(clients.sqs, queueUrl);
      // Deleted once read, so they do not come back when their visibility timeout ends.
      for (let i = 0; i < messages.length; i += 10) {
        await clients.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: messages
              .slice(i, i + 10)
              .map((message, n) => ({ Id: `m${n}`, ReceiptHandle: message.ReceiptHandle })),
          }),
        );
      }
      const delivered = new Map<string, number>();
      for (const { id } of envelopes(messages)) delivered.set(id, (delivered.get(id) ?? 0) + 1);
      const wanted = new Set(cases.flatMap((c) => c.expect.published));
      const lost = [...wanted].filter((id) => !delivered.has(id));
      const twice = [...delivered].filter(([, n]) => n > 1).map(([id]) => id);
      const stray = [...delivered.keys()].filter((id) => !wanted.has(id));
      if (lost.length > 0) check.violate('event-lost', shortList(lost));
      if (twice.length > 0) check.violate('event-published-twice', shortList(twice));
      if (stray.length > 0) check.violate('unexpected-event', shortList(stray));
      tally.count('events published', delivered.size);

      // Never publishable: reported, tried once.
      const huge = cases.flatMap((c) => c.expect.unpublishable);
      const reportedHuge = report.unpublishable.map((u) => u.eventId);
      if (!same(huge, reportedHuge)) {
        check.violate(
          'unpublishable',
          `reported ${shortList(reportedHuge)}, expected ${shortList(huge)}`,
        );
      }
      const calls = limited.calls.slice(callsBefore);
      for (const id of huge) {
        const attempts = calls.filter((call) => call.ids.includes(id)).length;
        if (attempts !== 1) check.violate('attempts', `${id.slice(0, 60)} tried ${attempts} times`);
      }
      if (calls.some((call) => call.refused)) {
        check.violate('too-long', 'a PublishBatch call passed 256 KiB in all');
      }
      tally.count('unpublishable events', reportedHuge.length);

      // Unreadable records: reported by sequence number, nothing of them published.
      const unreadable = cases
        .filter((c) => c.expect.unreadable)
        .map((c) => sequenceOf(c.record) ?? '');
      const reportedUnreadable = report.unreadable.map((u) => u.sequenceNumber ?? '');
      if (!same(unreadable, reportedUnreadable)) {
        check.violate(
          'unreadable',
          `reported ${shortList(reportedUnreadable)}, expected ${shortList(unreadable)}`,
        );
      }
      tally.count('unreadable records', reportedUnreadable.length);

      // Unreachable loans: each with its attribute, and no other.
      const unreachable = cases.flatMap((c) => {
        const loanId = (c.record as { dynamodb?: { Keys?: { loanId?: { S?: string } } } }).dynamodb
          ?.Keys?.loanId?.S;
        return c.expect.unreachable ? [`${loanId} ${c.expect.unreachable}`] : [];
      });
      const reportedUnreachable = report.unreachable.map((u) => `${u.loanId} ${u.attribute}`);
      if (!same(unreachable, reportedUnreachable)) {
        check.violate(
          'unreachable',
          `reported ${shortList(reportedUnreachable)}, expected ${shortList(unreachable)}`,
        );
      }
      tally.count('unreachable loans', reportedUnreachable.length);
      tally.count('failure path', reportedHuge.length + reportedUnreadable.length);

      // Nothing personal in what the publisher logged.
      const logged = JSON.stringify(log.lines.slice(linesBefore));
      for (const value of cases.flatMap((c) => c.expect.personal)) {
        if (logged.includes(value))
          check.violate('personal-data-logged', 'a borrower id was logged');
      }
      return check.done();
    },
  };
}
