/**
 * What the envelope schema lets through is what the consumers' tables can store (docs/contract.md, Reports): key
 * lengths in bytes, safe integers, and a `sweep.completed` summary of bounded depth and size.
 */
import { describe, expect, it } from 'vitest';
import { eventMarkerKey } from '../../../functions/adapters/report-store';
import { MAX_ID_BYTES } from '../../../functions/contract/tables';
import {
  MAX_EVENT_ID_BYTES,
  MAX_SUMMARY_BYTES,
  MAX_SUMMARY_DEPTH,
  parseEventMessage,
} from '../../../functions/core/event-message';
import { buildLoanEvent, buildSweepCompletedEvent } from '../../../functions/core/events';
import { utf8ByteLength } from '../../../functions/core/values';
import { d, RUN } from '../../../local/fixtures/loans';

function overdue(loanId = 'L-1') {
  return buildLoanEvent(
    'loan.overdue',
    { loanId, borrowerId: 'B-1' },
    { bucket: 'M1', dpd: 7 },
    d('2026-03-07'),
    RUN,
    {
      dpd: 7,
      bucket: 'M1',
      inGrace: false,
      forbearance: false,
      amountOverdue: 100,
      currency: 'CNY',
    },
  );
}

const completed = (summary: Record<string, unknown>) =>
  buildSweepCompletedEvent(summary, d('2026-03-07'), RUN);

function reasonOf(body: unknown): string {
  const result = parseEventMessage(typeof body === 'string' ? body : JSON.stringify(body));
  if (result.ok) throw new Error('expected a rejection');
  return result.reason;
}

const accepts = (body: unknown) => parseEventMessage(JSON.stringify(body)).ok;

/** `{ a: { a: … 1 } }` with `levels` nested maps. */
function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: 1 };
  for (let level = 1; level < levels; level++) value = { a: value };
  return value;
}

describe('ids fit DynamoDB keys', () => {
  it(`accepts an event id of ${MAX_EVENT_ID_BYTES} bytes, whose marker key is a fixed-size digest`, () => {
    const id = 'x'.repeat(MAX_EVENT_ID_BYTES);
    expect(accepts({ ...overdue(), id })).toBe(true);
    expect(utf8ByteLength(eventMarkerKey(id))).toBeLessThanOrEqual(MAX_ID_BYTES);
  });

  it('accepts the ids of a loan whose id is 1,024 two-byte characters (2,048 bytes)', () => {
    const event = overdue('ж'.repeat(1_024));
    expect(utf8ByteLength(event.id)).toBeGreaterThan(MAX_ID_BYTES);
    expect(accepts(event)).toBe(true);
  });

  it('rejects a longer id, counting bytes rather than characters', () => {
    expect(reasonOf({ ...overdue(), id: 'x'.repeat(MAX_EVENT_ID_BYTES + 1) })).toBe(
      `id: must be at most ${MAX_EVENT_ID_BYTES} bytes in UTF-8`,
    );
    // 1,400 characters, 4,200 bytes.
    expect(reasonOf({ ...overdue(), id: '贷'.repeat(1_400) })).toMatch(
      new RegExp(`^id: must be at most ${MAX_EVENT_ID_BYTES}`),
    );
  });

  it('rejects a loanId over the 2,048-byte key limit of the loans and reminders tables', () => {
    const loanId = 'L'.repeat(MAX_ID_BYTES + 1);
    expect(reasonOf({ ...overdue(), loanId })).toBe(
      'loanId: must be at most 2048 bytes in UTF-8 (a DynamoDB key)',
    );
    expect(accepts({ ...overdue(), loanId: 'L'.repeat(MAX_ID_BYTES) })).toBe(true);
  });
});

describe('integers are safe integers', () => {
  it('rejects an amount beyond 2^53 − 1, naming the field', () => {
    const event = overdue();
    const body = JSON.stringify(event).replace(
      '"amountOverdue":100',
      '"amountOverdue":9007199254740993',
    );
    expect(reasonOf(body)).toBe('data.amountOverdue: must be a safe integer ≥ 0 (minor units)');
  });

  it('rejects a dpd that JSON reads as Infinity', () => {
    const body = JSON.stringify(overdue()).replace('"dpd":7,"bucket"', '"dpd":1e400,"bucket"');
    expect(reasonOf(body)).toMatch(/^data\.dpd: must be a safe integer ≥ 0/);
  });
});

describe('a sweep.completed summary is storable', () => {
  it('accepts a summary with counts, fractions, strings, lists and maps', () => {
    expect(
      accepts(
        completed({
          runId: 'run-1',
          loansExamined: 12,
          ratio: 0.25,
          skipped: { count: 1, loans: [{ loanId: 'L-9', reason: 'principal: missing' }] },
          charges: { CNY: { lateFees: 0, penaltyInterest: 10 } },
        }),
      ),
    ).toBe(true);
  });

  it(`accepts ${MAX_SUMMARY_DEPTH} levels of nesting and rejects ${MAX_SUMMARY_DEPTH + 1}`, () => {
    expect(accepts(completed(nested(MAX_SUMMARY_DEPTH)))).toBe(true);
    expect(reasonOf(completed(nested(MAX_SUMMARY_DEPTH + 1)))).toBe(
      `data${'.a'.repeat(MAX_SUMMARY_DEPTH)}: nests deeper than ${MAX_SUMMARY_DEPTH} levels`,
    );
    // Deeper than DynamoDB's 32 levels, as the tester sent it.
    expect(reasonOf(completed(nested(40)))).toMatch(/nests deeper than 16 levels$/);
  });

  it('rejects numbers the document client or DynamoDB would refuse, naming each', () => {
    const body = JSON.stringify(completed({ durationMs: 1, tiny: 2, list: [3] }))
      .replace('"durationMs":1', '"durationMs":9007199254740993')
      .replace('"tiny":2', '"tiny":1e-200')
      .replace('[3]', '[1e400]');
    const reason = reasonOf(body);
    expect(reason).toContain('data.durationMs: must be a number DynamoDB keeps exactly');
    expect(reason).toContain('data.tiny: must be a number DynamoDB keeps exactly');
    expect(reason).toContain('data.list.0: must be a number DynamoDB keeps exactly');
  });

  it('rejects an empty map key, which DynamoDB refuses', () => {
    expect(reasonOf(completed({ skipped: { '': 1 } }))).toBe('data.skipped: has an empty key');
  });

  it(`rejects a summary over ${MAX_SUMMARY_BYTES} bytes`, () => {
    const reason = reasonOf(completed({ note: 'x'.repeat(MAX_SUMMARY_BYTES) }));
    expect(reason).toBe(
      `data: is ${MAX_SUMMARY_BYTES + 11} bytes as JSON, over ${MAX_SUMMARY_BYTES}`,
    );
  });

  it('rejects a summary that is not an object', () => {
    expect(reasonOf({ ...completed({}), data: [1, 2] })).toBe('data: must be an object');
  });
});

describe('reasons are bounded', () => {
  it('lists the first ten problems and counts the rest', () => {
    const event = buildLoanEvent(
      'loan.fee_applied',
      { loanId: 'L-1', borrowerId: 'B-1' },
      { bucket: 'M1', dpd: 5 },
      d('2026-03-07'),
      RUN,
      { lateFee: 0, penaltyInterest: 1, currency: 'CNY', capped: false, entryIds: [] },
    );
    const reason = reasonOf({ ...event, data: { ...event.data, entryIds: Array(50_000).fill(7) } });
    expect(reason).toMatch(/; … and 49990 more problems$/);
    expect(reason.length).toBeLessThanOrEqual(2000);
  });

  it('never quotes a body that is not JSON', () => {
    const body = `{"borrowerId": "Zhang San 13800138000"`;
    const reason = reasonOf(body);
    expect(reason).toBe(`body is not JSON (${body.length} characters)`);
  });
});

describe('the events of a delinquency episode', () => {
  const asOf = d('2026-03-07');
  const loanEvent = <T extends Parameters<typeof buildLoanEvent>[0]>(
    type: T,
    data: Parameters<typeof buildLoanEvent<T>>[5],
  ) =>
    buildLoanEvent(
      type,
      { loanId: 'L-1', borrowerId: 'B-1' },
      { bucket: 'M1', dpd: 7 },
      asOf,
      RUN,
      data,
    );

  it('reads each new type with the data the contract names', () => {
    const events = [
      loanEvent('loan.risk_class_changed', { from: 'NORMAL', to: 'SPECIAL_MENTION', dpd: 1 }),
      loanEvent('loan.credit_hold', { dpd: 1, bucket: 'M1', delinquentSince: d('2026-03-07') }),
      loanEvent('loan.credit_released', { dpd: 0, delinquentSince: d('2026-03-01') }),
      loanEvent('loan.credit_report_notice', {
        dpd: 1,
        amountOverdue: 12_000,
        currency: 'CNY',
        settlementDate: d('2026-03-31'),
        delinquentSince: d('2026-03-07'),
      }),
      loanEvent('loan.hardship_offer', {
        offerId: 'L-1:hardship:2026-02-21',
        dpd: 15,
        amountOverdue: 12_000,
        currency: 'CNY',
      }),
      ...(['loan.promise_kept', 'loan.promise_broken'] as const).map((type) =>
        loanEvent(type, {
          promiseId: 'P-1',
          until: d('2026-03-06'),
          amount: 5_000,
          paid: 2_000,
          currency: 'CNY',
        }),
      ),
    ];
    for (const event of events) {
      const parsed = parseEventMessage(JSON.stringify(event));
      expect(parsed.ok, event.type).toBe(true);
      if (parsed.ok) expect(parsed.event.data).toEqual(event.data);
    }
  });

  it('reads an overdue event with or without the episode fields, and names a bad one', () => {
    const withEpisode = {
      ...overdue(),
      data: {
        ...overdue().data,
        riskClass: 'SPECIAL_MENTION',
        delinquentSince: '2026-03-01',
        creditHold: true,
        creditNoticeOn: '2026-03-01',
        promisePending: false,
      },
    };
    expect(accepts(withEpisode)).toBe(true);
    expect(accepts(overdue())).toBe(true);
    expect(reasonOf({ ...withEpisode, data: { ...withEpisode.data, riskClass: 'BAD' } })).toMatch(
      /^data\.riskClass: must be one of NORMAL, /,
    );
  });

  it('names a notice without its settlement date', () => {
    const notice = loanEvent('loan.credit_report_notice', {
      dpd: 1,
      amountOverdue: 1,
      currency: 'CNY',
      settlementDate: d('2026-03-31'),
      delinquentSince: d('2026-03-07'),
    });
    const { settlementDate: _, ...data } = notice.data;
    expect(reasonOf({ ...notice, data })).toMatch(/^data\.settlementDate: /);
  });
});
