/**
 * The reminder service on DynamoDB Local (docs/contract.md, Reminders), built through its wiring as
 * the handler builds it: real loan reads, real conditional writes and transactions, one item per
 * borrower and business date.
 */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PublishBatchCommand } from '@aws-sdk/client-sns';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { ENV } from '../../../functions/contract/environment';
import { EVENT_TYPES, REMINDER_EVENT_TYPES } from '../../../functions/contract/events';
import { addDays } from '../../../functions/core/dates';
import type { BusinessDate } from '../../../functions/core/types';
import { loadReminderConfig } from '../../../functions/reminder/config';
import type { BatchReport, ReminderStore } from '../../../functions/reminder/ports';
import { createReminder, type ReminderOptions } from '../../../functions/reminder/wiring';
import { drainQueue, freshResources, localClients } from '../../../local/fixtures/aws';
import type { LocalResources } from '../../../local/local-resources';
import {
  dueSoon,
  hardshipOffer,
  heldOf,
  kindsOf,
  lineOf,
  notice,
  overdue,
  promiseBroken,
  remindersOf,
  type Who,
} from '../../support/reminders';
import { putLoan, sqsEventOf } from './support';

const clients = localClients();
let resources: LocalResources;

/** 2026-03-02 10:00 in Shanghai: the window of "today" is open. */
const NOW = new Date('2026-03-02T02:00:00.000Z');
const TODAY = '2026-03-02' as BusinessDate;

function reminderService(options: ReminderOptions = {}, env: Record<string, string> = {}) {
  const config = loadReminderConfig({
    ...resources.env,
    [ENV.businessTimeZone]: 'Asia/Shanghai',
    ...env,
  });
  return createReminder({ dynamodb: clients.dynamodb }, config, {
    clock: () => NOW,
    sleep: async () => {},
    ...options,
  });
}

const reminders = (borrowerId: string, resourcesOf = resources) =>
  remindersOf(clients.doc, resourcesOf.tables.REMINDERS_TABLE_NAME, borrowerId);

/** A borrower's loan: one unpaid instalment of 10,000 + 300 due 2026-03-01 unless overridden. */
async function loanOf(who: Who, overrides: Record<string, unknown> = {}, into = resources) {
  await putLoan(clients.doc, into.tables.LOANS_TABLE_NAME, who.loanId, {
    borrowerId: who.borrowerId,
    ...overrides,
  });
}

const installment = (seq: number, dueDate: string) => ({
  seq,
  dueDate,
  principalDue: 5_000,
  interestDue: 100,
  principalPaid: 0,
  interestPaid: 0,
});

beforeAll(async () => {
  resources = await freshResources(clients, 'reminder');
});

describe('one reminder per borrower and date', () => {
  it('writes a pending item with its lines, the rendered message and the default window', async () => {
    const who = { loanId: 'L-ok', borrowerId: 'B-ok' };
    await loanOf(who);
    const response = await reminderService().handle(sqsEventOf([overdue(who, '2026-03-02', 1)]));
    expect(response.batchItemFailures).toEqual([]);
    expect(await reminders('B-ok')).toEqual({
      '2026-03-02': {
        borrowerId: 'B-ok',
        asOf: '2026-03-02',
        lines: {
          'L-ok': {
            loanId: 'L-ok',
            kind: 'OVERDUE',
            currency: 'CNY',
            locale: 'zh-CN',
            dpd: 1,
            amountOverdue: 10_300,
          },
        },
        kind: 'OVERDUE',
        locale: 'zh-CN',
        message:
          '【逾期提醒】您的借款（编号 L-ok）已逾期1天，逾期金额 ¥103.00。' +
          '请尽快通过App或官方渠道还款，以免产生更多费用；如有疑问或还款困难，请联系客服。',
        sendAfter: '2026-03-02T09:00:00+08:00',
        sendBefore: '2026-03-02T21:00:00+08:00',
        status: 'PENDING',
        capped: false,
        revision: expect.stringMatching(/^[0-9a-f]{32}$/),
      },
    });
  });

  it('a borrower with several loans gets one item naming each, most urgent first', async () => {
    const b = 'B-many';
    const loans = ['M-3', 'M-1', 'M-2', 'M-4'].map((loanId) => ({ loanId, borrowerId: b }));
    for (const who of loans) {
      await loanOf(who, {
        installments: [installment(1, '2026-03-01'), installment(2, '2026-03-05')],
      });
    }
    const [m3, m1, m2, m4] = loans as [Who, Who, Who, Who];
    const response = await reminderService().handle(
      sqsEventOf([
        overdue(m1, '2026-03-02', 1),
        dueSoon(m2, '2026-03-02', 2, '2026-03-05', 3),
        notice(m3, '2026-03-02', 1),
        overdue(m4, '2026-03-02', 1),
        dueSoon(m4, '2026-03-02', 2, '2026-03-05', 3),
      ]),
    );
    expect(response.batchItemFailures).toEqual([]);
    const items = await reminders(b);
    expect(Object.keys(items)).toEqual(['2026-03-02']);
    const item = items['2026-03-02'];
    expect(kindsOf(item)).toEqual({
      'M-1': 'OVERDUE',
      'M-2': 'PAYMENT_DUE_SOON',
      'M-3': 'CREDIT_REPORT_NOTICE',
      'M-4': 'OVERDUE',
    });
    expect(item?.kind).toBe('CREDIT_REPORT_NOTICE');
    // M-4's line carries both its events: overdue and the instalment due in 3 days.
    expect(lineOf(item, 'M-4')).toMatchObject({
      dpd: 1,
      amountOverdue: 5_100,
      installmentSeq: 2,
      daysUntilDue: 3,
      amountDue: 5_100,
    });
    const message = String(item?.message);
    const order = ['M-3', 'M-1', 'M-4', 'M-2'].map((id) => message.indexOf(`编号 ${id}）`));
    expect(order.every((at) => at > 0)).toBe(true);
    expect([...order].sort((x, y) => x - y)).toEqual(order);
  });
});

describe('redelivery and any order give the same item', () => {
  const b = 'B-order';
  const who = (loanId: string) => ({ loanId, borrowerId: b });
  const events = () => [
    overdue(who('O-1'), '2026-03-02', 1),
    dueSoon(who('O-1'), '2026-03-02', 2, '2026-03-05', 3),
    notice(who('O-2'), '2026-03-02', 1),
    overdue(who('O-2'), '2026-03-02', 1),
    hardshipOffer(who('O-3'), '2026-03-02', 1),
    promiseBroken(who('O-3'), '2026-03-02', { until: '2026-03-01', amount: 10_300, paid: 0 }),
    dueSoon(who('O-4'), '2026-03-02', 2, '2026-03-05', 3),
  ];

  async function seeded(): Promise<LocalResources> {
    const own = await freshResources(clients, 'reminder-order');
    for (const id of ['O-1', 'O-2', 'O-3', 'O-4']) {
      await loanOf(
        who(id),
        { installments: [installment(1, '2026-03-01'), installment(2, '2026-03-05')] },
        own,
      );
    }
    return own;
  }

  function serviceOn(own: LocalResources) {
    const config = loadReminderConfig({ ...own.env, [ENV.businessTimeZone]: 'Asia/Shanghai' });
    return createReminder({ dynamodb: clients.dynamodb }, config, {
      clock: () => NOW,
      sleep: async () => {},
    });
  }

  it('the same batch twice, reversed, and split over concurrent invocations', async () => {
    const [once, reversed, split] = await Promise.all([seeded(), seeded(), seeded()]);
    const all = events();

    const first = serviceOn(once);
    expect((await first.handle(sqsEventOf(all))).batchItemFailures).toEqual([]);
    expect((await first.handle(sqsEventOf(all, 'again'))).batchItemFailures).toEqual([]);

    const backwards = serviceOn(reversed);
    expect((await backwards.handle(sqsEventOf([...all].reverse()))).batchItemFailures).toEqual([]);

    // One message per invocation, all at once, each with its own service (own Lambda).
    const answers = await Promise.all(
      all.map((event, i) => serviceOn(split).handle(sqsEventOf([event], `c${i}-`))),
    );
    for (const answer of answers) expect(answer.batchItemFailures).toEqual([]);

    const item = await reminders(b, once);
    expect(Object.keys(item)).toEqual(['2026-03-02']);
    expect(kindsOf(item['2026-03-02'])).toEqual({
      'O-1': 'OVERDUE',
      'O-2': 'CREDIT_REPORT_NOTICE',
      'O-3': 'PROMISE_BROKEN',
      'O-4': 'PAYMENT_DUE_SOON',
    });
    expect(await reminders(b, reversed)).toEqual(item);
    expect(await reminders(b, split)).toEqual(item);
  });
});

describe('the subscription', () => {
  it('lets exactly the five types a line can come from into the reminder queue', async () => {
    await clients.sns.send(
      new PublishBatchCommand({
        TopicArn: resources.events.topicArn,
        PublishBatchRequestEntries: EVENT_TYPES.slice(0, 10).map((type, index) => ({
          Id: String(index),
          Message: JSON.stringify({ id: `L-1:${type}:2026-03-02`, type }),
          MessageAttributes: { eventType: { DataType: 'String', StringValue: type } },
        })),
      }),
    );
    await clients.sns.send(
      new PublishBatchCommand({
        TopicArn: resources.events.topicArn,
        PublishBatchRequestEntries: EVENT_TYPES.slice(10).map((type, index) => ({
          Id: String(index),
          Message: JSON.stringify({ id: `L-1:${type}:2026-03-02`, type }),
          MessageAttributes: { eventType: { DataType: 'String', StringValue: type } },
        })),
      }),
    );
    const received = await drainQueue(clients.sqs, resources.events.queues.Reminder.queueUrl);
    const types = received.map((message) => JSON.parse(message.Body ?? '{}').type).sort();
    expect(types).toEqual([...REMINDER_EVENT_TYPES].sort());
  });
});

describe('the contact window', () => {
  it('is 09:00–21:00 by default and what CONTACT_POLICY says otherwise', async () => {
    const who = { loanId: 'W-1', borrowerId: 'B-window' };
    await loanOf(who);
    const policy = JSON.stringify({ windowStart: '08:30', windowEnd: '22:00' });
    await reminderService({}, { [ENV.contactPolicy]: policy }).handle(
      sqsEventOf([overdue(who, '2026-03-02', 1)]),
    );
    expect((await reminders('B-window'))['2026-03-02']).toMatchObject({
      sendAfter: '2026-03-02T08:30:00+08:00',
      sendBefore: '2026-03-02T22:00:00+08:00',
    });
  });

  it('a bad CONTACT_POLICY fails the cold start, naming each bad field', async () => {
    vi.unstubAllEnvs();
    for (const [name, value] of Object.entries(resources.env)) vi.stubEnv(name, value);
    vi.stubEnv(ENV.contactPolicy, '{"windowStart":"07:00","maxContactDaysPer7":0}');
    vi.resetModules();
    await expect(import('../../../functions/reminder/handler')).rejects.toThrow(
      /CONTACT_POLICY\.windowStart: 07:00 is outside 08:00–22:00.*CONTACT_POLICY\.maxContactDaysPer7: 0 is not a whole number 1–7/,
    );
    vi.unstubAllEnvs();
  });
});

describe('who is told what', () => {
  it('opt-out suppresses every line but the credit-report notice', async () => {
    const b = 'B-optout';
    const loans = ['X-1', 'X-2', 'X-3', 'X-4'].map((loanId) => ({ loanId, borrowerId: b }));
    for (const who of loans) {
      await loanOf(who, {
        remindersOptOut: true,
        installments: [installment(1, '2026-03-01'), installment(2, '2026-03-05')],
      });
    }
    const [x1, x2, x3, x4] = loans as [Who, Who, Who, Who];
    const batch = [
      overdue(x1, '2026-03-02', 1),
      dueSoon(x2, '2026-03-02', 2, '2026-03-05', 3),
      hardshipOffer(x3, '2026-03-02', 1),
      promiseBroken(x3, '2026-03-02', { until: '2026-03-01', amount: 100, paid: 0 }),
      notice(x4, '2026-03-02', 1),
    ];
    expect((await reminderService().handle(sqsEventOf(batch))).batchItemFailures).toEqual([]);
    expect(kindsOf((await reminders(b))['2026-03-02'])).toEqual({ 'X-4': 'CREDIT_REPORT_NOTICE' });
  });

  it('a loan paid before its line is built gets no line, except the notice', async () => {
    const b = 'B-paid';
    const paid = { principalPaid: 5_000, interestPaid: 100 };
    const loans = ['P-1', 'P-2', 'P-3'].map((loanId) => ({ loanId, borrowerId: b }));
    for (const who of loans) {
      await loanOf(who, {
        installments: [installment(1, '2026-03-01'), installment(2, '2026-03-05')],
      });
    }
    // Everyone pays after the sweep: P-1 and P-3 all they owe, P-2 its next instalment early.
    for (const [loanId, index] of [
      ['P-1', 0],
      ['P-3', 0],
      ['P-2', 1],
    ] as const) {
      await clients.doc.send(
        new UpdateCommand({
          TableName: resources.tables.LOANS_TABLE_NAME,
          Key: { loanId },
          UpdateExpression: `SET installments[${index}].principalPaid = :p, installments[${index}].interestPaid = :i`,
          ExpressionAttributeValues: { ':p': paid.principalPaid, ':i': paid.interestPaid },
        }),
      );
    }
    const [p1, p2, p3] = loans as [Who, Who, Who];
    await reminderService().handle(
      sqsEventOf([
        overdue(p1, '2026-03-02', 1),
        dueSoon(p2, '2026-03-02', 2, '2026-03-05', 3),
        notice(p3, '2026-03-02', 1, 5_100),
      ]),
    );
    const item = (await reminders(b))['2026-03-02'];
    expect(kindsOf(item)).toEqual({ 'P-3': 'CREDIT_REPORT_NOTICE' });
    // Paid since: the notice says what it was raised for.
    expect(lineOf(item, 'P-3')).toMatchObject({ amountOverdue: 5_100 });
  });

  it('a loan that is missing or cannot be parsed gives no line and fails no message; its notice still goes', async () => {
    const b = 'B-broken';
    await loanOf({ loanId: 'K-1', borrowerId: b }, { currency: 'yuan' });
    const response = await reminderService().handle(
      sqsEventOf([
        overdue({ loanId: 'K-1', borrowerId: b }, '2026-03-02', 1),
        overdue({ loanId: 'K-ghost', borrowerId: b }, '2026-03-02', 1),
        notice({ loanId: 'K-1', borrowerId: b }, '2026-03-02', 1),
      ]),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(kindsOf((await reminders(b))['2026-03-02'])).toEqual({ 'K-1': 'CREDIT_REPORT_NOTICE' });
  });

  it('a loan id of 1,024 two-byte characters gets its line', async () => {
    const who = { loanId: 'é'.repeat(1_024), borrowerId: 'B-long' };
    await loanOf(who);
    // Such a loan's event ids (`loanId:type:asOf`) pass 2,000 bytes, the schema's id limit on this
    // branch; the reminder keys nothing by an event id, so a shorter one stands in here.
    const event = { ...overdue(who, '2026-03-02', 1), id: 'long-loan:loan.overdue:2026-03-02' };
    const response = await reminderService().handle(
      sqsEventOf([event, notice({ ...who, loanId: 'L-short' }, '2026-03-02', 1)]),
    );
    expect(response.batchItemFailures).toEqual([]);
    const item = (await reminders('B-long'))['2026-03-02'];
    expect(kindsOf(item)).toEqual({ [who.loanId]: 'OVERDUE', 'L-short': 'CREDIT_REPORT_NOTICE' });
    expect(String(item?.message)).toContain(who.loanId);
  });
});

describe('the weekly cap', () => {
  const b = 'B-cap';
  const loanIds = ['C-1', 'C-2', 'C-3', 'C-4', 'C-5'];
  // Loan C-n is overdue since 2026-02-28 + n − 1 … so that on each date one of them is on a
  // cadence day; the dates 2026-03-10 … 2026-03-16 are swept one after another.
  const dates = Array.from({ length: 7 }, (_, i) => addDays('2026-03-10' as BusinessDate, i));

  async function seed(into: LocalResources, borrowerId: string) {
    for (const loanId of loanIds) {
      await loanOf({ loanId, borrowerId }, { installments: [installment(1, '2026-03-01')] }, into);
    }
  }
  /** Each date: an overdue event for C-(i mod 5) on dpd 1 in the event (cadence), and on date 3 a notice. */
  const eventsOf = (borrowerId: string) =>
    dates.flatMap((date, i) => {
      const who = { loanId: loanIds[i % loanIds.length] as string, borrowerId };
      const events = [overdue(who, date, 1)];
      if (i === 3) events.push(notice({ loanId: 'C-5', borrowerId }, date, 15));
      return events;
    });

  it('over a sequence of dates: at most three in any seven, the notice passing the cap', async () => {
    await seed(resources, b);
    // One date after another, as the daily runs deliver them (the notice keeps its own date:
    // it is not before today).
    for (const event of eventsOf(b)) await reminderService().handle(sqsEventOf([event]));
    const items = await reminders(b);
    // 03-10, 03-11, 03-12 reminded; 03-13 only its notice (C-4's overdue held back); 03-14–03-16
    // at the cap (four of the previous six have a reminder, the notice date counting).
    expect(Object.keys(items)).toEqual(['2026-03-10', '2026-03-11', '2026-03-12', '2026-03-13']);
    expect(kindsOf(items['2026-03-13'])).toEqual({ 'C-5': 'CREDIT_REPORT_NOTICE' });
    expect(items['2026-03-13']).toMatchObject({ capped: true });
    // The held lines are kept apart, out of the borrower's reminders.
    const held = await heldOf(clients.doc, resources.tables.REMINDERS_TABLE_NAME, b);
    expect(Object.keys(held)).toEqual(['2026-03-13', '2026-03-14', '2026-03-15', '2026-03-16']);
  });

  it('gives the same reminders whatever the order the dates arrive in', async () => {
    const own = await freshResources(clients, 'reminder-cap');
    await seed(own, 'B-cap-r');
    const config = loadReminderConfig({ ...own.env, [ENV.businessTimeZone]: 'Asia/Shanghai' });
    const service = createReminder({ dynamodb: clients.dynamodb }, config, {
      clock: () => NOW,
      sleep: async () => {},
    });
    const reversed = [...eventsOf('B-cap-r')].reverse();
    // Half one at a time backwards, the rest in two concurrent batches.
    for (const event of reversed.slice(0, 4)) await service.handle(sqsEventOf([event]));
    await Promise.all([
      service.handle(sqsEventOf(reversed.slice(4, 6), 'x')),
      service.handle(sqsEventOf(reversed.slice(6), 'y')),
    ]);
    const expected = await reminders(b);
    const actual = await reminders('B-cap-r', own);
    const strip = (items: Record<string, Record<string, unknown>>) =>
      Object.fromEntries(
        Object.entries(items).map(([date, { borrowerId: _b, ...rest }]) => [date, rest]),
      );
    expect(strip(actual)).toEqual(strip(expected));
  });

  it('a date decided one short of the cap is decided again when an earlier date gains its reminder meanwhile', async () => {
    const borrowerId = 'B-cap-race';
    const [first, second, third, fourth] = ['K-1', 'K-2', 'K-3', 'K-4'].map((loanId) => ({
      loanId,
      borrowerId,
    })) as [Who, Who, Who, Who];
    for (const who of [first, second, third, fourth]) {
      await loanOf(who, { installments: [installment(1, '2026-03-01')] });
    }
    await reminderService().handle(sqsEventOf([overdue(second, '2026-03-18', 1)]));
    await reminderService().handle(sqsEventOf([overdue(third, '2026-03-19', 1)]));
    // Once 03-20's first reminder has read the dates it is decided from (two reminders in its
    // six dates before: one short of the cap), another invocation writes 03-17's first reminder.
    let raced = false;
    const racing = (store: ReminderStore): ReminderStore => ({
      ...store,
      readReminders: async (keys) => {
        const read = await store.readReminders(keys);
        if (!raced && keys.some((key) => key.asOf === '2026-03-17')) {
          raced = true;
          await reminderService().handle(sqsEventOf([overdue(first, '2026-03-17', 1)], 'race'));
        }
        return read;
      },
    });
    const report: BatchReport[] = [];
    const response = await reminderService({
      decorate: { store: racing },
      observer: (r) => report.push(r),
    }).handle(sqsEventOf([overdue(fourth, '2026-03-20', 1)]));
    expect(raced).toBe(true);
    expect(response.batchItemFailures).toEqual([]);
    // In date order 03-17, 03-18 and 03-19 have reminders: 03-20 is at the cap, its line held.
    const items = await reminders(borrowerId);
    expect(Object.keys(items)).toEqual(['2026-03-17', '2026-03-18', '2026-03-19']);
    const held = await heldOf(clients.doc, resources.tables.REMINDERS_TABLE_NAME, borrowerId);
    expect(Object.keys(held)).toEqual(['2026-03-20']);
    expect(report[0]?.linesCapped).toBe(1);
  });

  it("decides a batch's new reminders from one shared read of the dates around them", async () => {
    const borrowers = ['B-share-1', 'B-share-2', 'B-share-3'];
    const loan = (borrowerId: string) => ({ loanId: `${borrowerId}-L`, borrowerId });
    for (const borrowerId of borrowers) {
      await loanOf(loan(borrowerId), { installments: [installment(1, '2026-02-27')] });
    }
    const capOfOne = { [ENV.contactPolicy]: '{"maxContactDaysPer7":1}' };
    // One borrower was reminded two dates ago: with a cap of 1, today's line is held back,
    // which it is only if the shared read saw that reminder.
    await reminderService({}, capOfOne).handle(
      sqsEventOf([overdue(loan('B-share-1'), '2026-02-28', 1)]),
    );
    const counted = new DynamoDBClient({});
    const commands: string[] = [];
    counted.middlewareStack.add(
      (next, context) => (args) => {
        commands.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize' },
    );
    const config = loadReminderConfig({
      ...resources.env,
      [ENV.businessTimeZone]: 'Asia/Shanghai',
      ...capOfOne,
    });
    const response = await createReminder({ dynamodb: counted }, config, {
      clock: () => NOW,
      sleep: async () => {},
    }).handle(sqsEventOf(borrowers.map((borrowerId) => overdue(loan(borrowerId), TODAY, 3))));
    counted.destroy();
    expect(response.batchItemFailures).toEqual([]);
    // The loans and today's reminders in one call, the dates around the three new reminders in
    // another; a put each for the two new reminders, each checked again after it (a cap of 1
    // puts every first reminder one short of the cap), and for the held line its plan (the
    // borrower's reminders and held lines read, one transaction).
    expect(commands.sort()).toEqual([
      'BatchGetItemCommand',
      'BatchGetItemCommand',
      'PutItemCommand',
      'PutItemCommand',
      ...Array(4).fill('QueryCommand'),
      'TransactWriteItemsCommand',
    ]);
    expect(Object.keys(await reminders('B-share-1'))).toEqual(['2026-02-28']);
    const held = await heldOf(clients.doc, resources.tables.REMINDERS_TABLE_NAME, 'B-share-1');
    expect(Object.keys(held)).toEqual([TODAY]);
    for (const borrowerId of ['B-share-2', 'B-share-3']) {
      expect(Object.keys(await reminders(borrowerId))).toEqual([TODAY]);
    }
  });

  it('a configured cap of 1 allows one date in seven', async () => {
    const who = { loanId: 'Q-1', borrowerId: 'B-cap1' };
    await loanOf(who, { installments: [installment(1, '2026-02-01')] });
    const service = reminderService({}, { [ENV.contactPolicy]: '{"maxContactDaysPer7":1}' });
    const report: BatchReport[] = [];
    const observed = reminderService(
      { observer: (r) => report.push(r) },
      { [ENV.contactPolicy]: '{"maxContactDaysPer7":1}' },
    );
    await service.handle(sqsEventOf([overdue(who, '2026-02-02', 1)]));
    await observed.handle(sqsEventOf([overdue(who, '2026-02-04', 3)]));
    // 02-08 is still within seven dates of 02-02 (its loan's dpd is 7 there); 02-09 is not.
    await service.handle(sqsEventOf([overdue(who, '2026-02-08', 7)]));
    await service.handle(sqsEventOf([overdue(who, '2026-02-09', 30)]));
    expect(Object.keys(await reminders('B-cap1'))).toEqual(['2026-02-02', '2026-02-09']);
    expect(report[0]?.linesCapped).toBe(1);
  });
});

describe('late events and sent reminders', () => {
  it("a backfill's notice goes into today's reminder; its other lines into their own date", async () => {
    const b = 'B-backfill';
    const who = { loanId: 'F-1', borrowerId: b };
    await loanOf(who, { installments: [installment(1, '2026-02-20')] });
    // A backfill run for 2026-02-21 (dpd 1) delivered on 2026-03-02.
    await reminderService().handle(
      sqsEventOf([overdue(who, '2026-02-21', 1), notice(who, '2026-02-21', 1)]),
    );
    const items = await reminders(b);
    expect(kindsOf(items['2026-02-21'])).toEqual({ 'F-1': 'OVERDUE' });
    expect(kindsOf(items[TODAY])).toEqual({ 'F-1': 'CREDIT_REPORT_NOTICE' });
    expect(lineOf(items[TODAY], 'F-1')).toMatchObject({
      noticeRaisedOn: '2026-02-21',
      settlementDate: '2026-02-28',
      dpd: 10,
    });
    // Delivered again the next day (a redrive): the borrower is not told twice.
    const tomorrow = () => new Date('2026-03-03T02:00:00Z');
    await reminderService({ clock: tomorrow }).handle(sqsEventOf([notice(who, '2026-02-21', 1)]));
    expect(Object.keys(await reminders(b))).toEqual(['2026-02-21', TODAY]);
  });

  it("a notice after today's window has closed goes into tomorrow's reminder as well", async () => {
    const who = { loanId: 'N-1', borrowerId: 'B-late' };
    await loanOf(who);
    const evening = () => new Date('2026-03-02T14:00:00Z'); // 22:00 in Shanghai
    await reminderService({ clock: evening }).handle(sqsEventOf([notice(who, '2026-03-02', 1)]));
    const items = await reminders('B-late');
    expect(Object.keys(items)).toEqual([TODAY, '2026-03-03']);
    expect(items['2026-03-03']).toMatchObject({ sendAfter: '2026-03-03T09:00:00+08:00' });
  });

  it('a reminder the gateway has sent never changes: a notice moves to the next date', async () => {
    const b = 'B-sent';
    const [a, n] = [
      { loanId: 'S-1', borrowerId: b },
      { loanId: 'S-2', borrowerId: b },
    ];
    await loanOf(a);
    await loanOf(n, { installments: [installment(1, '2026-03-01'), installment(2, '2026-03-05')] });
    await reminderService().handle(sqsEventOf([overdue(a, '2026-03-02', 1)]));
    await clients.doc.send(
      new UpdateCommand({
        TableName: resources.tables.REMINDERS_TABLE_NAME,
        Key: { borrowerId: b, asOf: TODAY },
        UpdateExpression: 'SET #status = :sent',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':sent': 'SENT' },
      }),
    );
    const before = (await reminders(b))[TODAY];
    await reminderService().handle(
      sqsEventOf([notice(n, '2026-03-02', 1), dueSoon(n, '2026-03-02', 2, '2026-03-05', 3)]),
    );
    const items = await reminders(b);
    expect(items[TODAY]).toEqual(before);
    expect(kindsOf(items['2026-03-03'])).toEqual({ 'S-2': 'CREDIT_REPORT_NOTICE' });
  });
});

describe('partial batch failures', () => {
  it('a malformed message fails alone while the rest of the batch succeeds', async () => {
    const who = { loanId: 'G-1', borrowerId: 'B-good' };
    await loanOf(who);
    const { loanId: _missing, ...noLoanId } = overdue(who, '2026-03-02', 1);
    const response = await reminderService().handle(
      sqsEventOf(['{not json', overdue(who, '2026-03-02', 1), noLoanId]),
    );
    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: 'm0' },
      { itemIdentifier: 'm2' },
    ]);
    expect(kindsOf((await reminders('B-good'))[TODAY])).toEqual({ 'G-1': 'OVERDUE' });
  });

  it("a write failure fails only that borrower's messages, so SQS retries just those", async () => {
    const ok = { loanId: 'T-1', borrowerId: 'B-fine' };
    const throttled = { loanId: 'T-2', borrowerId: 'B-throttled' };
    await loanOf(ok);
    // Overdue on its first instalment, its second due in 3 days: two lines for one borrower.
    await loanOf(throttled, {
      installments: [installment(1, '2026-03-01'), installment(2, '2026-03-05')],
    });
    const failing = (store: ReminderStore): ReminderStore => ({
      ...store,
      putReminder: async (borrowerId, write, read) => {
        // Fault injection: the throttling the SDK gave up retrying.
        if (borrowerId === throttled.borrowerId) {
          throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
        }
        return store.putReminder(borrowerId, write, read);
      },
    });
    const response = await reminderService({ decorate: { store: failing } }).handle(
      sqsEventOf([
        overdue(ok, '2026-03-02', 1),
        overdue(throttled, '2026-03-02', 1),
        dueSoon(throttled, '2026-03-02', 2, '2026-03-05', 3),
      ]),
    );
    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: 'm1' },
      { itemIdentifier: 'm2' },
    ]);
    expect(kindsOf((await reminders('B-fine'))[TODAY])).toEqual({ 'T-1': 'OVERDUE' });
    expect(await reminders('B-throttled')).toEqual({});
  });

  it("a stored reminder that cannot be read back fails only its borrower's messages", async () => {
    // Two borrowers whose stored reminders were damaged outside the service: one on the date the
    // events are for, one on a date before it (read with the new reminder's neighbours).
    const damaged = { loanId: 'D-1', borrowerId: 'B-damaged' };
    const damagedBefore = { loanId: 'D-2', borrowerId: 'B-damaged-before' };
    const fine = { loanId: 'D-3', borrowerId: 'B-fine-beside' };
    const added = { loanId: 'D-4', borrowerId: 'B-fine-added' };
    for (const who of [damaged, damagedBefore, fine, added]) await loanOf(who);
    await reminderService().handle(sqsEventOf([overdue(added, '2026-03-02', 1)]));
    for (const [borrowerId, asOf] of [
      [damaged.borrowerId, TODAY],
      [damagedBefore.borrowerId, addDays(TODAY, -3)],
    ]) {
      await clients.doc.send(
        new PutCommand({
          TableName: resources.tables.REMINDERS_TABLE_NAME,
          Item: { borrowerId, asOf, lines: 'not a map', status: 'PENDING', revision: 'r' },
        }),
      );
    }
    const addedLoan = { loanId: 'D-5', borrowerId: added.borrowerId };
    await loanOf(addedLoan);
    const report: BatchReport[] = [];
    const response = await reminderService({ observer: (r) => report.push(r) }).handle(
      sqsEventOf([
        overdue(fine, '2026-03-02', 1),
        overdue(damaged, '2026-03-02', 1),
        overdue(damagedBefore, '2026-03-02', 1),
        overdue(addedLoan, '2026-03-02', 1),
      ]),
    );
    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: 'm1' },
      { itemIdentifier: 'm2' },
    ]);
    expect(report[0]?.messagesFailed).toBe(2);
    expect(report[0]?.failed.map((f) => String(f.error))).toEqual([
      expect.stringContaining('lines: not a map'),
      expect.stringContaining('lines: not a map'),
    ]);
    expect(kindsOf((await reminders(fine.borrowerId))[TODAY])).toEqual({ 'D-3': 'OVERDUE' });
    expect(kindsOf((await reminders(added.borrowerId))[TODAY])).toEqual({
      'D-4': 'OVERDUE',
      'D-5': 'OVERDUE',
    });
  });

  it('a read failure fails the batch, nothing written, so SQS redelivers it whole', async () => {
    const who = { loanId: 'R-1', borrowerId: 'B-read' };
    await loanOf(who);
    const report: BatchReport[] = [];
    const response = await reminderService({
      observer: (r) => report.push(r),
      decorate: {
        loans: () => ({
          read: async () => {
            throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
          },
        }),
      },
    }).handle(sqsEventOf(['{}', overdue(who, '2026-03-02', 1)]));
    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: 'm0' },
      { itemIdentifier: 'm1' },
    ]);
    // The malformed message is counted as malformed; the one whose read failed as failed.
    expect(report[0]?.messagesFailed).toBe(1);
    expect(report[0]?.malformed).toHaveLength(1);
    expect(await reminders('B-read')).toEqual({});
  });

  it('a date of a borrower whose writes keep conflicting is redelivered, not lost', async () => {
    const who = { loanId: 'Z-1', borrowerId: 'B-busy' };
    await loanOf(who);
    const conflicting = (store: ReminderStore): ReminderStore => ({
      ...store,
      putReminder: async () => 'conflict',
    });
    const response = await reminderService({
      decorate: { store: conflicting },
      maxConflictAttempts: 3,
    }).handle(sqsEventOf([overdue(who, '2026-03-02', 1)]));
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm0' }]);
  });
});
