/**
 * docs/contract.md: Reminders, Reports from the outside: a real sweep for 2026-11-28 publishes to the topic, the two
 * subscribed queues are drained and their messages handed to the reminder and reporting handlers
 * as the event source mapping would — every batch twice, as at-least-once delivery may.
 *
 * Loans are 50,000 fen at 0.0003 a day, one instalment of 50,000 + 1,500 unless noted; late fee 500.
 */
import type { Message } from '@aws-sdk/client-sqs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { REMINDER_EVENT_TYPES } from '../../../functions/contract/events';
import { freshResources } from '../../../local/fixtures/aws';
import type { LocalResources } from '../../../local/local-resources';
import {
  bodies,
  clients,
  drain,
  importHandler,
  installment,
  lambdaContext,
  loan,
  oneInstalmentLoan,
  payInFull,
  putItems,
  scanAll,
  sqsEvent,
} from './support';

const FEE_POLICY = JSON.stringify({ default: { lateFee: 500 } });

let resources: LocalResources;
let reminderMessages: Message[];
let reportingMessages: Message[];
let reminders: Record<string, Record<string, unknown>>;
let report: Record<string, unknown>;
const failures: SQSBatchResponse[] = [];

/** Hands messages to a consumer in batches of 10, as the event source mapping does. */
async function deliver(
  which: 'reminder' | 'reporting',
  messages: Message[],
  queue: 'Reminder' | 'Reporting',
) {
  const handler = await importHandler(which, resources, FEE_POLICY);
  for (let i = 0; i < messages.length; i += 10) {
    const event = sqsEvent(messages.slice(i, i + 10), resources.events.queues[queue].queueArn);
    failures.push((await handler(event, lambdaContext(which))) as SQSBatchResponse);
  }
}

beforeAll(async () => {
  resources = await freshResources(clients, 'acc-consumers');
  await putItems(resources.tables.LOANS_TABLE_NAME, [
    oneInstalmentLoan('R-dpd1', '2026-11-27'),
    oneInstalmentLoan('R-dpd2', '2026-11-26'),
    oneInstalmentLoan('R-dpd3-en', '2026-11-25', { locale: 'en' }),
    oneInstalmentLoan('R-dpd7', '2026-11-21'),
    oneInstalmentLoan('R-dpd60', '2026-09-29'),
    oneInstalmentLoan('R-optout', '2026-11-27', { remindersOptOut: true }),
    oneInstalmentLoan('R-forb', '2026-11-27', { forbearanceUntil: '2026-11-30' }),
    oneInstalmentLoan('R-paid-after', '2026-11-27'),
    oneInstalmentLoan('R-soon3', '2026-12-01'),
    oneInstalmentLoan('R-soon-paid', '2026-11-29'),
    loan('R-both', '2026-11-27', [
      installment(1, '2026-11-27', 25_000, 750),
      installment(2, '2026-11-29', 25_000, 750),
    ]),
    oneInstalmentLoan('R-chargeoff', '2026-05-30'),
    oneInstalmentLoan('R-usd', '2026-11-27', { currency: 'USD', locale: 'en' }),
  ]);
  const sweep = await importHandler('sweep', resources, FEE_POLICY);
  await sweep({ scheduledTime: '2026-11-27T16:30:00Z' }, lambdaContext());
  // Payments land after the sweep and before the reminders are built.
  await payInFull(resources, 'R-paid-after', 0);
  await payInFull(resources, 'R-soon-paid', 0);
  reminderMessages = await drain(resources, 'Reminder');
  reportingMessages = await drain(resources, 'Reporting');
  for (let round = 0; round < 2; round++) {
    await deliver('reminder', reminderMessages, 'Reminder');
    await deliver('reporting', reportingMessages, 'Reporting');
  }
  // Each loan is its borrower's only one here: its reminder of the date names it alone.
  reminders = Object.fromEntries(
    (await scanAll(resources.tables.REMINDERS_TABLE_NAME))
      .filter((r) => r.asOf === '2026-11-28')
      .flatMap((r) => Object.keys(r.lines as object).map((loanId) => [loanId, r])),
  );
  const { Item } = await clients.doc.send(
    new GetCommand({ TableName: resources.tables.REPORTS_TABLE_NAME, Key: { asOf: '2026-11-28' } }),
  );
  report = Item ?? {};
});

describe('delivery', () => {
  it('filters the reminder queue to the types a reminder line comes from and fails no message', () => {
    const types = new Set(bodies(reminderMessages).map((e) => e.type));
    for (const type of types) expect(REMINDER_EVENT_TYPES).toContain(type);
    expect(types).toContain('loan.overdue');
    expect(types).toContain('loan.payment_due_soon');
    expect(reportingMessages.length).toBeGreaterThan(reminderMessages.length);
    for (const response of failures) expect(response?.batchItemFailures ?? []).toEqual([]);
  });

  it('sends due-soon three days ahead with the instalment’s unpaid principal + interest', () => {
    const soon = bodies(reminderMessages).find((e) => e.loanId === 'R-soon3');
    expect(soon).toMatchObject({
      type: 'loan.payment_due_soon',
      id: 'R-soon3:loan.payment_due_soon:2026-11-28',
    });
    expect(soon?.data).toEqual({
      installmentSeq: 1,
      dueDate: '2026-12-01',
      daysUntilDue: 3,
      amountDue: 51_500,
      currency: 'CNY',
    });
  });
});

describe('reminders (docs/contract.md, Reminders)', () => {
  it('writes one reminder for each borrower due one today, and no one else', () => {
    expect(Object.keys(reminders).sort()).toEqual([
      'R-both', // overdue dpd 1 and due-soon in 1 day: still one reminder
      'R-dpd1',
      'R-dpd3-en',
      'R-dpd60', // 30 days after dpd 30
      'R-dpd7',
      'R-soon3',
      'R-usd',
    ]);
    // Not: dpd 2 (no cadence day), opted out, in forbearance, paid after the sweep (overdue or
    // due-soon), charged off at dpd 182.
  });

  it('is dated, pending and sent within 09:00–21:00 business time (01:00–13:00 UTC)', () => {
    for (const reminder of Object.values(reminders)) {
      expect(reminder).toMatchObject({ asOf: '2026-11-28', status: 'PENDING' });
      expect(Date.parse(String(reminder.sendAfter))).toBe(Date.parse('2026-11-28T01:00:00Z'));
      expect(Date.parse(String(reminder.sendBefore))).toBe(Date.parse('2026-11-28T13:00:00Z'));
      expect(typeof reminder.kind).toBe('string');
    }
    expect(reminders['R-dpd1']?.kind).not.toBe(reminders['R-soon3']?.kind);
  });

  it('renders zh-CN by default and en on request, amounts in the loan’s currency', () => {
    expect(reminders['R-dpd1']).toMatchObject({ locale: 'zh-CN' });
    expect(String(reminders['R-dpd1']?.message)).toMatch(/[\u4e00-\u9fff]/);
    expect(String(reminders['R-dpd1']?.message)).toMatch(/¥\s?515\.00|515\.00\s?元/);
    expect(reminders['R-dpd3-en']).toMatchObject({ locale: 'en' });
    expect(String(reminders['R-dpd3-en']?.message)).not.toMatch(/[\u4e00-\u9fff]/);
    expect(String(reminders['R-dpd3-en']?.message)).toMatch(
      /CN¥\s?515\.00|¥\s?515\.00|CNY\s?515\.00/,
    );
    expect(String(reminders['R-usd']?.message)).toMatch(/\$515\.00/);
    expect(String(reminders['R-soon3']?.message)).toMatch(/515\.00/);
  });
});

describe('the daily report (docs/contract.md, Reports)', () => {
  it('counts each overdue loan once by bucket, though every event was delivered twice', () => {
    // 11 loans with dpd ≥ 1: nine in M1 (dpd 1–7), R-dpd60 in M2, R-chargeoff (dpd 182) in M7.
    expect(report.loansOverdue).toBe(11);
    expect(report.buckets).toEqual({ M1: 9, M2: 1, M7: 1 });
  });

  it('sums what is overdue and what was charged per currency', () => {
    // CNY: nine loans × 51,500 + R-both's first instalment 25,750; USD: R-usd 51,500.
    expect(report.amountOverdue).toEqual({ CNY: 489_250, USD: 51_500 });
    // R-dpd7 500 + 7 × 23; R-dpd60 500 + 60 × 23; R-chargeoff 500 + 180 × 23 (through due + 180).
    expect(report.chargesApplied).toEqual({ CNY: 661 + 1_880 + 4_640 });
  });

  it('counts charge-offs and due-soon events, and is complete after sweep.completed', () => {
    expect(report.chargedOff).toBe(1);
    expect(report.dueSoon).toBe(3); // R-soon3, R-soon-paid, R-both
    expect(report.complete).toBe(true);
    expect(JSON.stringify(report)).toContain('sweep-2026-11-28');
  });
});
