/**
 * The function's answers to the sweep-run workflow's plan and finish steps (docs/contract.md, Workflow): every input
 * validated before anything is read or written, the plan's work for the map, the finish's sums and
 * its one `sweep.completed` — on the in-memory LoanBook. The workflow itself runs in
 * test/integration/workflow.
 */
import { describe, expect, it } from 'vitest';
import type { WorkflowSummary } from '../../../functions/sweep/finish';
import { ValidationError } from '../../../functions/sweep/request';
import type { DirectRunSummary } from '../../../functions/sweep/service';
import {
  emptyTotals,
  FINISH_TOTALS_BYTES,
  jsonBytes,
  PART_TOTALS_BYTES,
  type SweepTotals,
} from '../../../functions/sweep/summary';
import type { PartResponse, PlanAnswer } from '../../../functions/sweep/wire';
import { installmentItem, loanItem } from '../../../local/fixtures/loans';
import { TEST_EXECUTION } from '../../../local/fixtures/test-execution';
import { inMemorySweep, SWEEP_NOW } from '../../support/in-memory-sweep';

const NOW = SWEEP_NOW;

const wide = () =>
  Array.from({ length: 16 }, (_, shard) =>
    loanItem(`L-${shard}`, [installmentItem(1, '2026-11-20')], { sweepShard: shard }),
  );

const service = (items = wide()) => inMemorySweep(items);

describe('the plan', () => {
  it('plans a scheduled run: every shard from its start, the run fixed by the scheduled time', async () => {
    const { handle, book } = service();
    const plan = (await handle({ plan: { scheduledTime: '2026-11-27T16:30:00Z' } })) as PlanAnswer;
    expect(plan).toEqual({
      runId: 'sweep-2026-11-28',
      asOf: '2026-11-28',
      dryRun: false,
      shards: Array.from({ length: 16 }, (_, shard) => ({
        runId: 'sweep-2026-11-28',
        asOf: '2026-11-28',
        dryRun: false,
        shard,
      })),
    });
    expect(book.readIds).toEqual([]);
  });

  it("plans an operator's loanIds run as the first part of the one named-loans task", async () => {
    const { handle } = service();
    const plan = await handle({ plan: { asOf: '2026-11-27', loanIds: ['L-1', 'L-2'] } });
    expect(plan).toEqual({
      runId: expect.stringMatching(/^sweep-2026-11-27-[0-9a-f]{10}$/),
      asOf: '2026-11-27',
      dryRun: false,
      loanIds: ['L-1', 'L-2'],
    });
  });

  it('plans the rest of a direct run from its resume payload, carrying its totals', async () => {
    const { handle, book } = service();
    const direct = (await handle(
      { asOf: '2026-11-28' },
      { exhausted: () => book.recorded.length >= 3 },
    )) as DirectRunSummary;
    expect(direct.complete).toBe(false);
    const plan = (await handle({ plan: direct.resume })) as PlanAnswer;
    expect(plan.totals).toEqual(direct.resume?.resume.totals);
    expect('shards' in plan && plan.shards.map((s) => s.shard)).toEqual(
      direct.resume?.resume.scope.kind === 'due-index' &&
        direct.resume.resume.scope.shards.map((s) => s.shard),
    );
  });

  it.each([
    ['an unknown operator field', { plan: { asOf: '2026-11-28', shard: 3 } }, /unknown field/],
    ['a future date outside a dry run', { plan: { asOf: '2026-11-29' } }, /in the future/],
    ['a bad scheduled time', { plan: { scheduledTime: 'tomorrow' } }, /not an ISO-8601 instant/],
    ['another key beside the plan', { plan: {}, extra: 1 }, /nothing else/],
    [
      'a resume with a repeated shard',
      {
        plan: {
          resume: {
            runId: 'sweep-2026-11-28',
            asOf: '2026-11-28',
            dryRun: false,
            scope: { kind: 'due-index', shards: [{ shard: 1 }, { shard: 1 }] },
            totals: emptyTotals(),
          },
        },
      },
      /plan\.resume\.scope\.shards: must not repeat a shard/,
    ],
    [
      'a resume with a future date',
      {
        plan: {
          resume: {
            runId: 'sweep-2026-11-30',
            asOf: '2026-11-30',
            dryRun: false,
            scope: { kind: 'loan-ids', loanIds: ['L-1'] },
            totals: emptyTotals(),
          },
        },
      },
      /plan\.resume\.asOf: 2026-11-30 is in the future/,
    ],
    [
      'a resume with forged totals',
      {
        plan: {
          resume: {
            runId: 'sweep-2026-11-28',
            asOf: '2026-11-28',
            dryRun: false,
            scope: { kind: 'loan-ids', loanIds: ['L-1'] },
            totals: { ...emptyTotals(), loansCharged: -1 },
          },
        },
      },
      /plan\.resume\.totals\.loansCharged/,
    ],
    [
      'a resume of a whole run under a named-loans run id, carrying more charged than examined',
      {
        plan: {
          resume: {
            runId: 'sweep-2026-11-28-0123456789',
            asOf: '2026-11-28',
            dryRun: false,
            scope: { kind: 'due-index', shards: [{ shard: 1 }] },
            totals: { ...emptyTotals(), loansCharged: 5000, eventsRecorded: 5000 },
          },
        },
      },
      /plan\.resume\.runId: must be sweep-2026-11-28, .*plan\.resume\.totals\.loansCharged: 5000 is more than loansExamined 0/,
    ],
  ])('rejects %s before reading anything, naming the problem', async (_name, event, problem) => {
    const { handle, book } = service();
    const rejected = handle(event);
    await expect(rejected).rejects.toBeInstanceOf(ValidationError);
    await expect(rejected).rejects.toThrow(problem);
    expect(book.readIds).toEqual([]);
  });

  it('names a long unknown key by its length, never echoing it', async () => {
    const key = 'k'.repeat(5000);
    const { handle } = service();
    const error = await handle({ plan: { resume: { [key]: 1 } } }).catch((e: Error) => e);
    expect(String(error)).toContain('a string of 5000 characters');
    expect(String(error)).not.toContain(key);
  });
});

describe('the checks every step shares', () => {
  const named = { runId: 'sweep-2026-11-28-0123456789', asOf: '2026-11-28', dryRun: false };

  it("names a part's bad loan ids as a direct run's: each by its index, a repeat at its first", async () => {
    const { handle, book } = service();
    const ids = ['L-1', 7, '', 'L-1', 'x'.repeat(1025)];
    const direct = await handle({ loanIds: ids }).catch((e: ValidationError) => e);
    const part = await handle({ part: { ...named, loanIds: ids } }).catch(
      (e: ValidationError) => e,
    );
    expect(direct).toBeInstanceOf(ValidationError);
    expect(part).toBeInstanceOf(ValidationError);
    const problems = (direct as ValidationError).problems;
    expect(problems).toEqual([
      'loanIds[1]: 7 is not a non-empty string',
      'loanIds[2]: "" is not a non-empty string',
      'loanIds[3]: "L-1" is listed more than once (first at loanIds[0])',
      'loanIds[4]: a string of 1025 characters is longer than 1024 characters',
    ]);
    expect((part as ValidationError).problems).toEqual(problems.map((p) => `part.${p}`));
    expect(book.readIds).toEqual([]);
  });

  it('refuses a future date outside a dry run in a direct run, a part and a finish alike', async () => {
    const { handle } = service();
    const future = { runId: 'sweep-2026-11-29', asOf: '2026-11-29', dryRun: false };
    const answer = { complete: true, shard: 1, totals: emptyTotals(), durationMs: 1 };
    const refusals = await Promise.all(
      [
        { asOf: '2026-11-29' },
        { part: { ...future, shard: 1 } },
        { finish: { ...future, shards: [answer] } },
      ].map((event) => handle(event).catch((e: Error) => e.message)),
    );
    expect(refusals).toEqual([
      expect.stringContaining('asOf: 2026-11-29 is in the future (today is 2026-11-28'),
      expect.stringContaining('part.asOf: 2026-11-29 is in the future (today is 2026-11-28'),
      expect.stringContaining('finish.asOf: 2026-11-29 is in the future (today is 2026-11-28'),
    ]);
  });
});

describe('the finish', () => {
  const header = { runId: 'sweep-2026-11-28', asOf: '2026-11-28', dryRun: false };

  async function everyShardSwept(handle: ReturnType<typeof service>['handle']) {
    const answers: PartResponse[] = [];
    for (let shard = 0; shard < 16; shard++) {
      answers.push((await handle({ part: { ...header, shard } })) as PartResponse);
    }
    return answers;
  }

  it('adds up the shards, lists their figures and records sweep.completed once', async () => {
    const { handle, announced, reports } = service();
    const answers = await everyShardSwept(handle);
    const summary = (await handle({
      finish: { ...header, shards: answers },
      startedAt: new Date(NOW.getTime() - 90_000).toISOString(),
    })) as WorkflowSummary;
    expect(summary).toMatchObject({
      ...header,
      complete: true,
      loansExamined: 16,
      loansCharged: 16,
      durationMs: 90_000,
      sweepCompleted: {
        eventId: 'sweep.completed:2026-11-28:sweep-2026-11-28',
        runRecord: 'recorded',
      },
    });
    expect(summary.shards.map((s) => [s.shard, s.loansExamined, s.loansCharged])).toEqual(
      Array.from({ length: 16 }, (_, shard) => [shard, 1, 1]),
    );
    expect(announced.map((e) => e.id)).toEqual([summary.sweepCompleted?.eventId]);
    expect(announced[0]?.data).toMatchObject({ loansCharged: 16, shards: summary.shards });
    // Metrics: the run's duration and each shard's busy time, SweepCompleted once.
    expect(reports.at(-1)).toMatchObject({ completed: true, runDurationMs: 90_000 });
    expect(reports.at(-1)?.shardDurationsMs?.map((s) => s.shard)).toEqual([...Array(16).keys()]);
    expect(reports.filter((r) => r.completed)).toHaveLength(1);
  });

  it('adds the totals of the direct run it resumed', async () => {
    const { handle } = service();
    const answers = await everyShardSwept(handle);
    const carried: SweepTotals = { ...emptyTotals(), loansExamined: 5, chargedOff: 2 };
    const summary = (await handle({
      finish: { ...header, totals: carried, shards: answers },
    })) as WorkflowSummary;
    expect(summary).toMatchObject({ loansExamined: 21, chargedOff: 2 });
  });

  it('a dry run records no run record and previews charges', async () => {
    const { handle, announced } = service();
    const dry = { ...header, runId: 'dryrun-2026-11-28', dryRun: true };
    const answer = (await handle({ part: { ...dry, shard: 4 } })) as PartResponse;
    const summary = (await handle({ finish: { ...dry, shards: [answer] } })) as WorkflowSummary;
    expect(summary.sweepCompleted).toBeUndefined();
    expect(summary.preview).toHaveLength(1);
    expect(announced).toEqual([]);
  });

  it('a later finish of the same run (a redrive, a re-run) never replaces its run record', async () => {
    const { handle, book } = service();
    const answers = await everyShardSwept(handle);
    const first = (await handle({ finish: { ...header, shards: answers } })) as WorkflowSummary;
    // The redrive's shards found the work done: their answers count no charge.
    const redriven = answers.map((answer) => ({ ...answer, totals: emptyTotals() }));
    const again = (await handle({ finish: { ...header, shards: redriven } })) as WorkflowSummary;
    expect(again.sweepCompleted).toEqual({
      eventId: first.sweepCompleted?.eventId,
      runRecord: 'kept',
    });
    expect(book.runRecords.get(header.runId)?.data).toMatchObject({ loansCharged: 16 });
  });

  it('rejects shards mixed with a named-loans answer, naming it', async () => {
    const { handle, announced } = service();
    const answer = (shard?: number) => ({
      complete: true,
      ...(shard !== undefined && { shard }),
      totals: emptyTotals(),
      durationMs: 1,
    });
    await expect(handle({ finish: { ...header, shards: [answer(1), answer()] } })).rejects.toThrow(
      /finish\.shards: either shards or the one answer of the named loans/,
    );
    expect(announced).toEqual([]);
  });

  it.each([
    ['an unfinished shard', { complete: false, shard: 1, totals: emptyTotals(), durationMs: 1 }],
    ['a shard out of range', { complete: true, shard: 16, totals: emptyTotals(), durationMs: 1 }],
  ])('rejects %s', async (_name, answer) => {
    const { handle, announced } = service();
    await expect(handle({ finish: { ...header, shards: [answer] } })).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(announced).toEqual([]);
  });
});

describe('sizes within Step Functions limits', () => {
  it("keeps a part's and the finish's answers small however long the skipped ids and reasons", async () => {
    // Loan ids of 1,000 characters that all need escaping, each item malformed: worst-case lists.
    const odd = (n: number) => `${String(n).padStart(4, '0')}${'\u0001'.repeat(996)}`;
    const items = Array.from({ length: 16 * 10 }, (_, n) =>
      loanItem(odd(n), [installmentItem(1, '2026-11-20')], {
        sweepShard: n % 16,
        principal: 'lots',
      }),
    );
    const { handle } = service(items);
    const header = { runId: 'sweep-2026-11-28', asOf: '2026-11-28', dryRun: false };
    const answers: PartResponse[] = [];
    for (let shard = 0; shard < 16; shard++) {
      const answer = (await handle({ part: { ...header, shard } })) as PartResponse;
      expect(answer.totals.skipped.count).toBe(10);
      expect(jsonBytes(answer.totals)).toBeLessThanOrEqual(PART_TOTALS_BYTES);
      answers.push(answer);
    }
    const finish = { finish: { ...header, shards: answers } };
    expect(jsonBytes(finish)).toBeLessThan(256 * 1024);
    const summary = (await handle(finish)) as WorkflowSummary;
    expect(summary.skipped.count).toBe(160);
    expect(summary.skipped.loans.length).toBeGreaterThan(0);
    expect(jsonBytes(summary)).toBeLessThan(FINISH_TOTALS_BYTES + 8 * 1024);
  });
});

describe('where a workflow step comes from', () => {
  const header = { runId: 'sweep-2026-11-28', asOf: '2026-11-28', dryRun: false };
  const finish = {
    finish: {
      ...header,
      shards: [{ complete: true, shard: 0, totals: emptyTotals(), durationMs: 1 }],
    },
  };
  const otherExecution = TEST_EXECUTION.replace(/:test$/, ':ended');

  it.each([
    ['a plan', { plan: {} }],
    ['a part', { part: { ...header, shard: 0 } }],
    ['a finish', finish],
    [
      'a resume',
      {
        plan: {
          resume: {
            ...header,
            scope: { kind: 'due-index', shards: [{ shard: 0 }] },
            totals: { ...emptyTotals(), loansExamined: 5000 },
          },
        },
      },
    ],
  ])('%s without its execution is refused, nothing read or recorded', async (_name, event) => {
    const { handleAsGiven, book } = service();
    await expect(handleAsGiven(event)).rejects.toThrow(/execution: missing/);
    expect(book.readIds).toEqual([]);
    expect(book.recorded).toEqual([]);
    expect(book.runRecords.size).toBe(0);
  });

  it('a finish of an execution that is not running is refused', async () => {
    const { handleAsGiven, book } = service();
    await expect(handleAsGiven({ ...finish, execution: otherExecution })).rejects.toThrow(
      'execution: not a running execution of the sweep-run state machine',
    );
    expect(book.runRecords.size).toBe(0);
  });

  it("a step of a Distributed Map's child execution of this state machine is taken", async () => {
    const { handleAsGiven } = service();
    const child = TEST_EXECUTION.replace(
      ':OverdueSweep-sweep-run:',
      ':OverdueSweep-sweep-run/SweepShards:',
    );
    const wrongPrefix = TEST_EXECUTION.replace(
      ':OverdueSweep-sweep-run:',
      ':OverdueSweep-sweep-runx:',
    );
    // Known to the state machine's name, then asked of Step Functions (here: not running).
    await expect(handleAsGiven({ ...finish, execution: child })).rejects.toThrow(
      /not a running execution/,
    );
    await expect(handleAsGiven({ ...finish, execution: wrongPrefix })).rejects.toThrow(
      /is not an execution of the sweep-run state machine/,
    );
  });

  it('an operator payload needs no execution', async () => {
    const { handleAsGiven } = service();
    const summary = (await handleAsGiven({ asOf: '2026-11-28', dryRun: true })) as DirectRunSummary;
    expect(summary).toMatchObject({ complete: true, dryRun: true });
  });
});
