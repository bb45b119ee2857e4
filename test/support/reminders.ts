/**
 * The five events the reminder service acts on, built with the sweep's own envelope builder
 * (`buildLoanEvent`), for any loan and borrower; and small readers of the reminders table for the
 * integration tests.
 */

import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { heldPartitionOf } from '../../functions/adapters/reminder-item';
import { buildLoanEvent } from '../../functions/core/events';
import type { ReminderEvent } from '../../functions/core/reminders';
import type { Bucket, BusinessDate, RunContext } from '../../functions/core/types';

const RUN: RunContext = { runId: 'run-r', occurredAt: '2026-03-01T16:30:00.000Z' };
const d = (text: string) => text as BusinessDate;

/** Who an event is about. */
export interface Who {
  readonly loanId: string;
  readonly borrowerId: string;
}

const bucketOf = (dpd: number): Bucket =>
  dpd <= 0 ? 'M0' : (`M${Math.min(7, Math.ceil(dpd / 30))}` as Bucket);

export function overdue(
  who: Who,
  asOf: string,
  dpd: number,
  extra: { forbearance?: boolean; promisePending?: boolean; amountOverdue?: number } = {},
): ReminderEvent {
  const bucket = bucketOf(dpd);
  return buildLoanEvent('loan.overdue', who, { bucket, dpd }, d(asOf), RUN, {
    dpd,
    bucket,
    inGrace: dpd <= 3,
    forbearance: extra.forbearance ?? false,
    amountOverdue: extra.amountOverdue ?? 10_300,
    currency: 'CNY',
    ...(extra.promisePending !== undefined && { promisePending: extra.promisePending }),
  }) as ReminderEvent;
}

export function dueSoon(
  who: Who,
  asOf: string,
  seq: number,
  dueDate: string,
  daysUntilDue: number,
): ReminderEvent {
  return buildLoanEvent('loan.payment_due_soon', who, { bucket: 'M0', dpd: 0 }, d(asOf), RUN, {
    installmentSeq: seq,
    dueDate: d(dueDate),
    daysUntilDue,
    amountDue: 10_300,
    currency: 'CNY',
  }) as ReminderEvent;
}

/** The last calendar day of `asOf`'s month. */
function monthEnd(asOf: string): BusinessDate {
  const [year, month] = asOf.split('-').map(Number) as [number, number];
  return d(new Date(Date.UTC(year, month, 0)).toISOString().slice(0, 10));
}

export function notice(who: Who, asOf: string, dpd: number, amountOverdue = 10_300): ReminderEvent {
  const bucket = bucketOf(dpd);
  return buildLoanEvent('loan.credit_report_notice', who, { bucket, dpd }, d(asOf), RUN, {
    dpd,
    amountOverdue,
    currency: 'CNY',
    settlementDate: monthEnd(asOf),
    delinquentSince: d(asOf),
  }) as ReminderEvent;
}

export function hardshipOffer(who: Who, asOf: string, dpd: number): ReminderEvent {
  const bucket = bucketOf(dpd);
  return buildLoanEvent('loan.hardship_offer', who, { bucket, dpd }, d(asOf), RUN, {
    offerId: `${who.loanId}:hardship:2026-01-01`,
    dpd,
    amountOverdue: 10_300,
    currency: 'CNY',
  }) as ReminderEvent;
}

export function promiseBroken(
  who: Who,
  asOf: string,
  promise: { until: string; amount: number; paid: number },
): ReminderEvent {
  return buildLoanEvent('loan.promise_broken', who, { bucket: 'M1', dpd: 10 }, d(asOf), RUN, {
    promiseId: `P-${who.loanId}`,
    until: d(promise.until),
    amount: promise.amount,
    paid: promise.paid,
    currency: 'CNY',
  }) as ReminderEvent;
}

type Item = Record<string, unknown>;

async function queryAll(
  doc: DynamoDBDocumentClient,
  tableName: string,
  partition: string,
): Promise<Item[]> {
  const items: Item[] = [];
  let ExclusiveStartKey: Item | undefined;
  do {
    const page = await doc.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'borrowerId = :b',
        ExpressionAttributeValues: { ':b': partition },
        ConsistentRead: true,
        ExclusiveStartKey,
      }),
    );
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

/** A borrower's reminder items, by date. */
export async function remindersOf(
  doc: DynamoDBDocumentClient,
  tableName: string,
  borrowerId: string,
): Promise<Record<string, Item>> {
  const items = await queryAll(doc, tableName, borrowerId);
  return Object.fromEntries(items.map((item) => [String(item.asOf), item]));
}

/** The lines the weekly cap holds back for a borrower, by date. */
export async function heldOf(
  doc: DynamoDBDocumentClient,
  tableName: string,
  borrowerId: string,
): Promise<Record<string, Item>> {
  const items = await queryAll(doc, tableName, heldPartitionOf(borrowerId));
  return Object.fromEntries(items.map((item) => [String(item.asOf), item]));
}

/** The kinds of an item's lines by loan id. */
export function kindsOf(item: Item | undefined): Record<string, string> {
  const lines = (item?.lines ?? {}) as Record<string, { kind: string }>;
  return Object.fromEntries(Object.entries(lines).map(([loanId, line]) => [loanId, line.kind]));
}

/** The line of `loanId` in an item, if it has one. */
export function lineOf(
  item: Item | undefined,
  loanId: string,
): Record<string, unknown> | undefined {
  const lines = (item?.lines ?? {}) as Record<string, Record<string, unknown>>;
  return lines[loanId];
}
