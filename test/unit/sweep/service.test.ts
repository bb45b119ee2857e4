/**
 * The sweep's run loop on the in-memory LoanBook: conflicts, rejected writes, malformed items,
 * errors, the time budget, shard parts and the hand-off — without DynamoDB Local. The DynamoDB
 * path itself is covered by test/integration/sweep.
 */
import { describe, expect, it } from 'vitest';
import type { RunHandOff } from '../../../functions/sweep/ports';
import { ValidationError } from '../../../functions/sweep/request';
import type { TimeBudget } from '../../../functions/sweep/run';
import type { DirectRunSummary } from '../../../functions/sweep/service';
import type { PartResponse } from '../../../functions/sweep/wire';
import { installmentItem, loanItem } from '../../../local/fixtures/loans';
import { type InMemorySweepOptions, inMemorySweep } from '../../support/in-memory-sweep';

const unlimited: TimeBudget = { exhausted: () => false };

/** A small portfolio: charged, in grace, due soon, not yet due, and one malformed item. */
const portfolio = () => [
  loanItem('L-charged', [installmentItem(1, '2026-11-20')]),
  loanItem('L-grace', [installmentItem(1, '2026-11-27')]),
  loanItem('L-due-soon', [installmentItem(1, '2026-12-01')]),
  loanItem('L-bad', [installmentItem(1, '2026-11-20')], { principal: 'lots' }),
];

function sweepOver(items: Record<string, unknown>[], options: InMemorySweepOptions = {}) {
  const { handle, ...rest } = inMemorySweep(items, options);
  const direct = async (event: unknown, budget = unlimited) =>
    (await handle(event, budget)) as DirectRunSummary;
  const part = async (event: unknown, budget = unlimited) =>
    (await handle(event, budget)) as PartResponse;
  return { ...rest, direct, part };
}

/** A budget that runs out once `loans` loans have been recorded or checked. */
function budgetOf(book: { recorded: unknown[] }, loans: number): TimeBudget {
  return { exhausted: () => book.recorded.length >= loans };
}

describe('a whole run invoked directly', () => {
  it('sweeps every candidate once, records its events with it, and records the run once', async () => {
    const { book, announced, direct, reports } = sweepOver(portfolio());
    const summary = await direct({ asOf: '2026-11-28' });

    expect(summary).toMatchObject({
      runId: 'sweep-2026-11-28',
      complete: true,
      loansExamined: 3,
      loansOverdue: 2,
      loansCharged: 1,
      // 8 days × round(10,000 × 0.00045 = 4.5) = 40, and the 500 late fee.
      charges: { CNY: { lateFees: 500, penaltyInterest: 40 } },
      skipped: {
        count: 1,
        loans: [{ loanId: 'L-bad', reason: expect.stringMatching(/^principal/) }],
      },
    });
    expect(book.recorded.map((change) => change.loan.loanId).sort()).toEqual([
      'L-charged',
      'L-due-soon',
      'L-grace',
    ]);
    const recordedEvents = book.recorded.flatMap((change) => change.events.map((e) => e.id));
    expect(summary.eventsRecorded).toBe(recordedEvents.length);
    expect(summary.eventsPublished).toBe(recordedEvents.length);
    expect(recordedEvents).toContain('L-due-soon:loan.payment_due_soon:2026-11-28');
    expect(announced.map((event) => event.id)).toEqual([
      'sweep.completed:2026-11-28:sweep-2026-11-28',
    ]);
    expect(announced[0]?.data).toMatchObject({
      loansCharged: 1,
      eventsRecorded: summary.eventsRecorded,
    });
    expect(reports).toEqual([
      { dryRun: false, own: expect.any(Object), completed: true, runDurationMs: 0 },
    ]);
  });

  it('a second run for the same date records nothing and keeps the first run record, never zeros', async () => {
    const { book, direct, reports } = sweepOver(portfolio());
    const first = await direct({ asOf: '2026-11-28' });
    expect(first.sweepCompleted).toEqual({
      eventId: 'sweep.completed:2026-11-28:sweep-2026-11-28',
      runRecord: 'recorded',
    });
    const changes = book.recorded.length;
    const again = await direct({ asOf: '2026-11-28' });
    expect(book.recorded).toHaveLength(changes);
    expect(again).toMatchObject({ loansCharged: 0, eventsRecorded: 0, loansOverdue: 2 });
    expect(again.sweepCompleted).toEqual({ ...first.sweepCompleted, runRecord: 'kept' });
    // The record stands with the first run's charges, not the re-run's zeros.
    expect([...book.runRecords.values()].map((event) => event.data)).toEqual([
      expect.objectContaining({ loansCharged: 1, charges: first.charges }),
    ]);
    // The day was completed either way: the missing-run alarm sees both.
    expect(reports.map((report) => report.completed)).toEqual([true, true]);
  });

  it('a dry run records nothing, no run record either, and previews the charges', async () => {
    const { book, announced, direct } = sweepOver(portfolio());
    const summary = await direct({ asOf: '2026-11-28', dryRun: true });
    expect(book.recorded).toEqual([]);
    expect(announced).toEqual([]);
    expect(book.runRecords.size).toBe(0);
    expect(summary.preview).toContainEqual(
      expect.objectContaining({ loanId: 'L-charged', lateFee: 500, penaltyInterest: 40 }),
    );
  });

  it('sweeps only the named loans and reports a missing id as not found', async () => {
    const { book, direct } = sweepOver(portfolio());
    const summary = await direct({ asOf: '2026-11-28', loanIds: ['L-charged', 'L-nobody'] });
    expect(book.recorded.map((change) => change.loan.loanId)).toEqual(['L-charged']);
    expect(summary.skipped.loans).toEqual([{ loanId: 'L-nobody', reason: 'not found' }]);
  });

  it('a loanIds run for the date records its own run record, beside the whole run', async () => {
    const { book, direct } = sweepOver(portfolio());
    await direct({ asOf: '2026-11-28' });
    const named = await direct({ asOf: '2026-11-28', loanIds: ['L-charged'] });
    expect(named.runId).toMatch(/^sweep-2026-11-28-[0-9a-f]{10}$/);
    expect(named.sweepCompleted?.runRecord).toBe('recorded');
    expect([...book.runRecords.keys()]).toEqual(['sweep-2026-11-28', named.runId]);
    expect(book.runRecords.get('sweep-2026-11-28')?.data).toMatchObject({ loansExamined: 3 });
  });
});

describe('a loan the run moves ahead in the index', () => {
  // One shard, two loans a page. L-moved's first instalment was paid but upstream left its index
  // key on that due date: the sweep moves it to the second instalment's date (within the horizon,
  // 2026-12-01), past the other loans, where the walk's later page meets it again.
  const shard = { sweepShard: 5 };
  const moved = () => [
    loanItem(
      'L-moved',
      [installmentItem(1, '2026-11-10', true), installmentItem(2, '2026-11-30')],
      {
        ...shard,
        nextDueDate: '2026-11-10',
      },
    ),
    loanItem('L-b', [installmentItem(1, '2026-11-20')], shard),
    loanItem('L-c', [installmentItem(1, '2026-11-25')], shard),
    loanItem('L-d', [installmentItem(1, '2026-11-26')], shard),
  ];

  it('is examined, counted and recorded once in a run', async () => {
    const { book, direct } = sweepOver(moved());
    const summary = await direct({ asOf: '2026-11-28' });
    expect(summary.loansExamined).toBe(4);
    expect(summary.loansOverdue).toBe(3);
    expect(book.recorded.filter((c) => c.loan.loanId === 'L-moved')).toHaveLength(1);
    expect(book.recorded.find((c) => c.loan.loanId === 'L-moved')?.update.nextDueDate).toBe(
      '2026-11-30',
    );
  });

  it('is examined again by a second run of the same date, which changes nothing', async () => {
    const { book, direct } = sweepOver(moved());
    await direct({ asOf: '2026-11-28' });
    const recorded = book.recorded.length;
    const again = await direct({ asOf: '2026-11-28' });
    expect(again.loansExamined).toBe(4);
    expect(book.recorded).toHaveLength(recorded);
  });
});

describe('what can go wrong with one loan', () => {
  it('a version conflict is re-read and re-assessed, and the loan is charged once', async () => {
    const { book, direct } = sweepOver(portfolio(), {
      fault: (change, attempt) =>
        change.loan.loanId === 'L-charged' && attempt === 1 ? 'conflict' : undefined,
    });
    const summary = await direct({ asOf: '2026-11-28' });
    expect(summary).toMatchObject({ versionConflicts: 1, loansCharged: 1, skipped: { count: 1 } });
    expect(book.readIds).toEqual(['L-charged']);
    expect([...book.ledger.keys()].filter((key) => key.startsWith('L-charged#'))).toHaveLength(2);
  });

  it('a loan that keeps conflicting is skipped after the attempt limit; the rest is swept', async () => {
    const { book, direct } = sweepOver(portfolio(), {
      fault: (change) => (change.loan.loanId === 'L-charged' ? 'conflict' : undefined),
    });
    const summary = await direct({ asOf: '2026-11-28' });
    expect(summary.skipped.loans).toContainEqual({
      loanId: 'L-charged',
      reason: 'version conflict on 3 attempts',
    });
    expect(summary.versionConflicts).toBe(3);
    expect(book.recorded.map((change) => change.loan.loanId).sort()).toEqual([
      'L-due-soon',
      'L-grace',
    ]);
  });

  it('a write that can never succeed skips the loan with its reason', async () => {
    const { direct } = sweepOver(portfolio(), {
      fault: (change) =>
        change.loan.loanId === 'L-charged'
          ? { rejected: 'ledger entry 2026-11-28#LATE_FEE already exists' }
          : undefined,
    });
    const summary = await direct({ asOf: '2026-11-28' });
    expect(summary.skipped.loans).toContainEqual({
      loanId: 'L-charged',
      reason: 'ledger entry 2026-11-28#LATE_FEE already exists',
    });
    expect(summary.loansCharged).toBe(0);
  });

  it('throttling that outlasts the SDK retries skips the loan as throttled, not the run', async () => {
    const throttled = Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
      name: 'ThrottlingException',
    });
    const { direct } = sweepOver(portfolio(), {
      fault: (change) => (change.loan.loanId === 'L-grace' ? throttled : undefined),
    });
    const summary = await direct({ asOf: '2026-11-28' });
    expect(summary.complete).toBe(true);
    expect(summary.skipped.loans).toContainEqual({
      loanId: 'L-grace',
      reason: expect.stringMatching(/^throttled: ThrottlingException/),
    });
  });

  it('a malformed item is skipped with the attribute named, and never recorded', async () => {
    const { book, direct } = sweepOver(portfolio());
    const summary = await direct({ asOf: '2026-11-28' });
    expect(summary.skipped.loans).toEqual([
      { loanId: 'L-bad', reason: expect.stringMatching(/^principal: .*not a number/) },
    ]);
    expect(book.recorded.some((change) => change.loan.loanId === 'L-bad')).toBe(false);
  });
});

/** Sixteen loans, one per shard, all charged on 2026-11-28. */
const wide = () =>
  Array.from({ length: 16 }, (_, shard) =>
    loanItem(`L-${shard}`, [installmentItem(1, '2026-11-20')], { sweepShard: shard }),
  );

describe('the time budget', () => {
  it('a direct run low on time returns the rest as the workflow input that resumes it', async () => {
    const { book, direct, announced } = sweepOver(wide());
    const summary = await direct({ asOf: '2026-11-28' }, budgetOf(book, 3));
    expect(summary.complete).toBe(false);
    expect(announced).toEqual([]);
    expect(summary.resume?.resume).toMatchObject({
      runId: 'sweep-2026-11-28',
      asOf: '2026-11-28',
      dryRun: false,
      scope: { kind: 'due-index' },
      totals: { loansCharged: summary.loansCharged },
    });
    const rest = summary.resume?.resume.scope;
    const started = book.recorded.length;
    expect(rest?.kind === 'due-index' ? rest.shards.length : 0).toBe(16 - started);
  });

  it('hands the rest to a new workflow execution when one is configured', async () => {
    const started: { input: unknown; name: string }[] = [];
    const handOff: RunHandOff = {
      start: async (input, name) => {
        started.push({ input, name });
        return { executionArn: `arn:aws:states:ap-east-1:1:execution:run:${name}` };
      },
    };
    const { book, direct } = sweepOver(wide(), { handOff });
    const summary = await direct({ asOf: '2026-11-28' }, budgetOf(book, 1));
    expect(summary.complete).toBe(false);
    expect(summary.continuedIn).toBe(
      `arn:aws:states:ap-east-1:1:execution:run:${started[0]?.name}`,
    );
    expect(started[0]?.input).toMatchObject({ resume: { runId: 'sweep-2026-11-28' } });
    expect(summary.resume).toBeUndefined();
  });
});

describe('shard parts', () => {
  const part = (fields: Record<string, unknown>) => ({
    part: {
      runId: 'loanIds' in fields ? 'sweep-2026-11-28-0123456789' : 'sweep-2026-11-28',
      asOf: '2026-11-28',
      dryRun: false,
      ...fields,
    },
  });

  it('walk a shard part by part on the returned cursor and end as one run does', async () => {
    const items = Array.from({ length: 5 }, (_, i) =>
      loanItem(`L-${i}`, [installmentItem(1, `2026-11-2${i}`)], { sweepShard: 3 }),
    );
    const byParts = sweepOver(items);
    const answers: PartResponse[] = [];
    let next: Record<string, unknown> = {};
    for (let n = 0; n < 10; n++) {
      const answer = await byParts.part(
        part({ shard: 3, ...next }),
        budgetOf(byParts.book, byParts.book.recorded.length + 2),
      );
      answers.push(answer);
      if (answer.complete) break;
      next = {
        totals: answer.totals,
        durationMs: answer.durationMs,
        ...('cursor' in answer && { cursor: answer.cursor }),
      };
    }
    expect(answers.length).toBeGreaterThan(1);
    expect(answers.at(-1)).toMatchObject({ complete: true, shard: 3 });

    const oneRun = sweepOver(items);
    const whole = await oneRun.direct({ asOf: '2026-11-28' });
    expect([...byParts.book.items.values()]).toEqual([...oneRun.book.items.values()]);
    expect([...byParts.book.ledger.keys()].sort()).toEqual([...oneRun.book.ledger.keys()].sort());
    expect(answers.at(-1)?.totals).toMatchObject({
      loansExamined: whole.loansExamined,
      loansCharged: whole.loansCharged,
      charges: whole.charges,
      eventsRecorded: whole.eventsRecorded,
    });
    expect(byParts.announced).toEqual([]);
  });

  it('an unfinished answer is the next part: handed back as it is, it sweeps on to the same end', async () => {
    const items = Array.from({ length: 5 }, (_, i) =>
      loanItem(`L-${i}`, [installmentItem(1, `2026-11-2${i}`)], { sweepShard: 3 }),
    );
    const byAnswers = sweepOver(items);
    let event: unknown = part({ shard: 3 });
    let answer: PartResponse | undefined;
    for (let n = 0; n < 10 && !answer?.complete; n++) {
      const budget = budgetOf(byAnswers.book, byAnswers.book.recorded.length + 2);
      answer = await byAnswers.part(event, budget);
      // As the workflow's Pass state does: the answer, through JSON, is the next part's input.
      event = { part: JSON.parse(JSON.stringify(answer)) };
      if (n === 0) {
        expect(answer).toMatchObject({ complete: false, runId: 'sweep-2026-11-28', shard: 3 });
      }
    }
    expect(answer).toMatchObject({ complete: true, shard: 3, totals: { loansExamined: 5 } });
    const oneRun = sweepOver(items);
    await oneRun.direct({ asOf: '2026-11-28' });
    expect([...byAnswers.book.items.values()]).toEqual([...oneRun.book.items.values()]);
  });

  it('a named-loans part answers the next part with the ids it has not started', async () => {
    const { book, part: run } = sweepOver(wide());
    const first = await run(part({ loanIds: ['L-1', 'L-2', 'L-3'] }), budgetOf(book, 1));
    expect(first).toMatchObject({ complete: false, loanIds: ['L-2', 'L-3'] });
    const last = await run({ part: first }, unlimited);
    expect(last).toMatchObject({ complete: true, totals: { loansExamined: 3 } });
    expect(last).not.toHaveProperty('shard');
  });

  it('a loanIds part answers with the ids it has not started', async () => {
    const { book, part: run } = sweepOver(wide());
    const answer = await run(part({ loanIds: ['L-1', 'L-2', 'L-3'] }), budgetOf(book, 1));
    expect(answer).toMatchObject({ complete: false, loanIds: ['L-2', 'L-3'] });
  });

  it.each([
    ['a shard out of range', part({ shard: 16 })],
    ['a cursor of the wrong shape', part({ shard: 1, cursor: { after: 'x' } })],
    ['a future asOf outside a dry run', part({ shard: 1, asOf: '2026-11-29' })],
    ['an unknown field', part({ shard: 1, extra: true })],
    ['both a shard and loan ids', part({ shard: 1, loanIds: ['L-1'] })],
    ['repeated loan ids', part({ loanIds: ['L-1', 'L-1'] })],
  ])('rejects %s before reading anything', async (_name, event) => {
    const { book, part: run } = sweepOver(wide());
    await expect(run(event)).rejects.toBeInstanceOf(ValidationError);
    expect(book.readIds).toEqual([]);
    expect(book.recorded).toEqual([]);
  });
});

describe('backdated payments (docs/contract.md, Value-dated payments)', () => {
  /** Posts a full payment of 10,000 + 300 value-dated `valueDate` on the loan's instalment. */
  function payInFull(
    book: ReturnType<typeof sweepOver>['book'],
    loanId: string,
    valueDate: string,
  ) {
    const item = book.items.get(loanId) as Record<string, unknown>;
    const [inst] = item.installments as Record<string, unknown>[];
    const payments = [{ paymentId: `PAY-${loanId}`, valueDate, principal: 10_000, interest: 300 }];
    book.items.set(loanId, {
      ...item,
      installments: [{ ...inst, payments, principalPaid: 10_000, interestPaid: 300 }],
    });
  }
  // L-charged is due 11-20: the 11-24 run charges the late fee (500) and 4 × 5 = 20.
  const twoLoans = () => [
    loanItem('L-charged', [installmentItem(1, '2026-11-20')]),
    loanItem('L-other', [installmentItem(1, '2026-11-20')]),
  ];

  it('reads the ledger of the loan with the backdated payment only, and again after a conflict', async () => {
    let conflicts = 1;
    const { book, direct } = sweepOver(twoLoans(), {
      fault: (change) =>
        change.ledgerEntries.some((e) => e.kind.endsWith('REVERSAL')) && conflicts-- > 0
          ? 'conflict'
          : undefined,
    });
    await direct({ asOf: '2026-11-24' });
    payInFull(book, 'L-charged', '2026-11-23');
    const summary = await direct({ asOf: '2026-11-25' });
    expect(book.ledgerReads).toEqual(['L-charged', 'L-charged']);
    expect(summary).toMatchObject({
      versionConflicts: 1,
      reversals: { CNY: { lateFees: 500, penaltyInterest: 20 } },
      // L-other's 11-25 only: L-charged is paid.
      charges: { CNY: { lateFees: 0, penaltyInterest: 5 } },
    });
    const reversals = [...book.ledger.keys()].filter((key) => key.includes('REVERSAL'));
    expect(reversals).toEqual([
      'L-charged#2026-11-25#LATE_FEE_REVERSAL',
      'L-charged#2026-11-25#PENALTY_REVERSAL',
    ]);
  });

  it('two runs at once give back once', async () => {
    const { book, direct } = sweepOver(twoLoans());
    await direct({ asOf: '2026-11-24' });
    payInFull(book, 'L-charged', '2026-11-23');
    const [a, b] = await Promise.all([
      direct({ asOf: '2026-11-25' }),
      direct({ asOf: '2026-11-25' }),
    ]);
    const given = (s: DirectRunSummary) =>
      (s.reversals.CNY?.lateFees ?? 0) + (s.reversals.CNY?.penaltyInterest ?? 0);
    expect(given(a) + given(b)).toBe(520);
    expect([...book.ledger.keys()].filter((key) => key.includes('REVERSAL'))).toHaveLength(2);
    expect(book.items.get('L-charged')).toMatchObject({ lateFeesCharged: 0, penaltyCharged: 0 });
  });

  it('a dry run previews the reversal and writes nothing', async () => {
    const { book, direct } = sweepOver(twoLoans());
    await direct({ asOf: '2026-11-24' });
    payInFull(book, 'L-charged', '2026-11-23');
    const recorded = book.recorded.length;
    const summary = await direct({ asOf: '2026-11-25', dryRun: true });
    expect(summary.reversals).toEqual({ CNY: { lateFees: 500, penaltyInterest: 20 } });
    expect(summary.preview).toContainEqual(
      expect.objectContaining({ loanId: 'L-charged', lateFeeReversed: 500, penaltyReversed: 20 }),
    );
    expect(book.recorded).toHaveLength(recorded);
  });

  it('skips a loan whose ledger and totals disagree, naming the problem', async () => {
    const { book, direct } = sweepOver(twoLoans());
    await direct({ asOf: '2026-11-24' });
    payInFull(book, 'L-charged', '2026-11-23');
    const item = book.items.get('L-charged') as Record<string, unknown>;
    book.items.set('L-charged', { ...item, penaltyCharged: 7 });
    const summary = await direct({ asOf: '2026-11-25' });
    expect(summary.skipped).toEqual({
      count: 1,
      loans: [
        {
          loanId: 'L-charged',
          reason: 'ledger: penalty to give back (20) exceeds penaltyCharged (7)',
        },
      ],
    });
    expect(summary.reversals).toEqual({});
  });
});
