/**
 * The sweep-run workflow (docs/contract.md: Workflow, Guarantees) as the stack synthesizes it, on the local interpreter,
 * against DynamoDB Local and the SNS/SQS emulator: a whole run through the workflow ends exactly as
 * a direct run does — however many parts each shard takes, whatever part fails and is retried —
 * with one `sweep.completed`; a second execution charges nothing and publishes no new event id; dry
 * runs write nothing; a `loanIds` run touches only those loans; a direct run low on time hands the
 * rest to an execution and the end state is that of one run.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { SWEEP_RUN_STATES } from '../../../functions/contract/workflow';
import type { EventEnvelope } from '../../../functions/core/types';
import type { WorkflowSummary } from '../../../functions/sweep/finish';
import { freshResources } from '../../../local/fixtures/aws';
import { installmentItem as inst, loanItem } from '../../../local/fixtures/loans';
import {
  clients,
  FEE_POLICY,
  putItems,
  receivedEvents,
  runRecordOf,
  scanAll,
  sweepEndState,
  sweeper,
} from '../../../local/fixtures/sweep';
import { serveDescribeExecution } from '../../../local/local-executions';
import type { LocalResources } from '../../../local/local-resources';
import { type LocalFunction, localFunction } from '../../../local/workflow';
import {
  entries,
  execute,
  localHandOff,
  outputOf,
  sweepFunction,
  workflow,
} from '../../support/workflow';

const ASOF = '2026-11-28';
/** The schedule's event for 2026-11-28: 00:30 in Shanghai. */
const SCHEDULED = { scheduledTime: '2026-11-27T16:30:00Z' };

/** One loan of each kind the sweep meets, by a kind's index. */
const KINDS: ((id: string) => Record<string, unknown>)[] = [
  (id) => loanItem(id, [inst(1, '2026-11-10'), inst(2, '2026-12-10')]),
  (id) => loanItem(id, [inst(1, '2026-09-10'), inst(2, '2026-10-10'), inst(3, '2026-11-10')]),
  (id) => loanItem(id, [inst(1, '2026-11-26')]),
  (id) => loanItem(id, [inst(1, '2026-12-01')]),
  (id) => loanItem(id, [inst(1, '2026-10-01')], { productCode: 'CAPPED' }),
  (id) => loanItem(id, [inst(1, '2026-11-01')], { forbearanceUntil: '2026-12-31' }),
  (id) => loanItem(id, [inst(1, '2026-06-01'), inst(2, '2026-07-01')]),
  (id) => loanItem(id, [inst(1, '2026-11-01', true)], { nextDueDate: '2026-11-01' }),
  (id) => loanItem(id, [inst(1, '2026-12-20')]),
  (id) => loanItem(id, [inst(1, '2026-10-01', true)], { status: 'PAID_OFF' }),
  (id) => loanItem(id, [inst(1, '2026-11-01')], { principal: undefined }),
];

/** 48 loans, three on every shard, every kind on several shards. */
const PORTFOLIO = Array.from({ length: 48 }, (_, n) => {
  const kind = KINDS[n % KINDS.length] as (id: string) => Record<string, unknown>;
  const id = `W-${String(n).padStart(2, '0')}`;
  return JSON.parse(JSON.stringify({ ...kind(id), sweepShard: n % 16 })) as Record<string, unknown>;
});

async function portfolio(label: string): Promise<LocalResources> {
  const resources = await freshResources(clients, label);
  await putItems(resources.tables.LOANS_TABLE_NAME, PORTFOLIO);
  return resources;
}

const endState = (resources: LocalResources) => sweepEndState(resources);

/** Loan events without the instant they were built at (each run's clock). */
const loanEvents = (events: EventEnvelope[]) =>
  events
    .filter((e) => e.type !== 'sweep.completed')
    .map(({ occurredAt: _at, ...rest }) => rest)
    .sort((a, b) => a.id.localeCompare(b.id));
const completions = (events: EventEnvelope[]) => events.filter((e) => e.type === 'sweep.completed');

/** The reference: the same portfolio swept by one direct run, and what it published. */
let direct: { state: Awaited<ReturnType<typeof endState>>; events: EventEnvelope[] };
let directSummary: Awaited<ReturnType<ReturnType<typeof sweeper>['run']>>;

beforeAll(async () => {
  workflow(); // synthesize once, before the clocks of the tests start
  const resources = await portfolio('wf-direct');
  directSummary = await sweeper(resources).run({ asOf: ASOF });
  direct = { state: await endState(resources), events: await receivedEvents(resources) };
}, 120_000);

describe('a whole run through the workflow, its tasks on the real sweep handler', () => {
  let resources: LocalResources;
  let handler: LocalFunction;
  let first: { summary: WorkflowSummary; events: EventEnvelope[] };

  beforeAll(async () => {
    resources = await portfolio('wf-handler');
    vi.resetModules();
    for (const [name, value] of Object.entries(resources.env)) vi.stubEnv(name, value);
    vi.stubEnv('BUSINESS_TIMEZONE', 'Asia/Shanghai');
    vi.stubEnv('FEE_POLICY', FEE_POLICY);
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    // The handler checks each step's execution with Step Functions: the interpreter's, over HTTP.
    const stepFunctions = await serveDescribeExecution();
    vi.stubEnv('SWEEP_STATE_MACHINE_ARN', workflow().stateMachineArn);
    vi.stubEnv('AWS_ENDPOINT_URL_SFN', stepFunctions.url);
    const module = await import('../../../functions/sweep/handler');
    handler = localFunction(
      module.handler as (event: unknown, context: unknown) => Promise<unknown>,
    );
    const execution = await execute(handler, SCHEDULED);
    first = { summary: outputOf(execution), events: await receivedEvents(resources) };
  }, 120_000);

  it('ends with every loan and ledger entry exactly as a direct run leaves them', async () => {
    expect(await endState(resources)).toEqual(direct.state);
    expect(direct.state.ledger.length).toBeGreaterThan(10);
  });

  it('publishes the same loan events and exactly one sweep.completed, carrying the shards', () => {
    expect(loanEvents(first.events)).toEqual(loanEvents(direct.events));
    const [completed, ...more] = completions(first.events);
    expect(more).toEqual([]);
    expect(completed?.id).toBe(`sweep.completed:${ASOF}:sweep-${ASOF}`);
    expect((completed?.data as { shards?: unknown[] } | undefined)?.shards).toHaveLength(16);
  });

  it("answers the direct run's totals, and each of the 16 shards' own figures", () => {
    const { summary } = first;
    expect(summary).toMatchObject({
      runId: `sweep-${ASOF}`,
      asOf: ASOF,
      complete: true,
      loansExamined: directSummary.loansExamined,
      loansOverdue: directSummary.loansOverdue,
      loansCharged: directSummary.loansCharged,
      charges: directSummary.charges,
      chargedOff: directSummary.chargedOff,
      eventsRecorded: directSummary.eventsRecorded,
      skipped: { count: directSummary.skipped.count },
      sweepCompleted: { runRecord: 'recorded' },
    });
    expect(summary.shards.map((s) => s.shard)).toEqual([...Array(16).keys()]);
    expect(summary.shards.reduce((n, s) => n + s.loansExamined, 0)).toBe(summary.loansExamined);
    expect(summary.shards.every((s) => s.loansExamined >= 1)).toBe(true);
  });

  it('a second execution for the same day charges nothing and publishes no new event id', async () => {
    const ledger = await scanAll(resources.tables.LEDGER_TABLE_NAME);
    const again = outputOf<WorkflowSummary>(await execute(handler, { asOf: ASOF }));
    const events = await receivedEvents(resources);
    expect(again).toMatchObject({ loansCharged: 0, charges: {}, eventsRecorded: 0 });
    expect(await scanAll(resources.tables.LEDGER_TABLE_NAME)).toHaveLength(ledger.length);
    const firstIds = new Set(first.events.map((e) => e.id));
    expect(events.filter((e) => !firstIds.has(e.id))).toEqual([]);
    // The first run record stands: the re-run's zeros are never recorded, nor sent.
    expect(again.sweepCompleted).toEqual({
      eventId: `sweep.completed:${ASOF}:sweep-${ASOF}`,
      runRecord: 'kept',
    });
    expect(completions(events)).toEqual([]);
    expect(await runRecordOf(resources, `sweep-${ASOF}`)).toMatchObject({
      data: { loansCharged: first.summary.loansCharged, charges: first.summary.charges },
    });
  });

  it('rejects an invalid input in the plan at once: no retry, nothing read or written', async () => {
    const before = await endState(resources);
    const execution = await execute(handler, { asOf: '2026-02-30', loanIds: [] });
    expect(execution.result).toMatchObject({ status: 'FAILED', error: 'ValidationError' });
    expect(execution.result.status === 'FAILED' && execution.result.cause).toMatch(
      /asOf: \\"2026-02-30\\" is not a YYYY-MM-DD date; loanIds: must not be empty/,
    );
    expect(execution.events.filter((e) => e.type === 'StateRetried')).toEqual([]);
    expect(entries(execution, SWEEP_RUN_STATES.sweepShards)).toEqual([]);
    expect(await endState(resources)).toEqual(before);
  });
});

describe('a whole run in many parts', () => {
  it('a budget that runs out after every loan takes several parts per shard and ends as one run', async () => {
    const resources = await portfolio('wf-parts');
    // Exhausted from the start: each part sweeps one loan, then answers its cursor.
    const fn = sweepFunction(resources, { budget: () => ({ exhausted: () => true }) });
    const execution = await execute(fn, { asOf: ASOF });
    const summary = outputOf<WorkflowSummary>(execution);
    const parts = entries(execution, SWEEP_RUN_STATES.sweepShardPart);
    const perShard = new Map<number, number>();
    for (const index of parts) perShard.set(index, (perShard.get(index) ?? 0) + 1);
    // At most one loan per part: a shard takes at least as many parts as it has candidates (one
    // more when the last part ends on a full page), and most shards have several.
    for (const { shard, loansExamined } of summary.shards) {
      expect(perShard.get(shard ?? -1), `shard ${shard}`).toBeGreaterThanOrEqual(loansExamined);
    }
    expect(parts.length).toBeGreaterThan(32);
    expect(await endState(resources)).toEqual(direct.state);
    const events = await receivedEvents(resources);
    expect(loanEvents(events)).toEqual(loanEvents(direct.events));
    expect(completions(events)).toHaveLength(1);
    expect(summary).toMatchObject({
      loansExamined: directSummary.loansExamined,
      loansCharged: directSummary.loansCharged,
      charges: directSummary.charges,
    });
  });

  it('a part that fails after its work is retried from its cursor, and nothing is charged twice', async () => {
    const resources = await portfolio('wf-retry');
    const sweep = sweepFunction(resources);
    let failed = 0;
    // Shard 7's first part sweeps the shard, then its answer is lost (the invocation fails).
    const fn: LocalFunction = async (event) => {
      const answer = await sweep(event);
      const part = (event as { part?: { shard?: number } }).part;
      if (part?.shard === 7 && failed === 0) {
        failed += 1;
        throw Object.assign(new Error('the connection was reset'), { name: 'ECONNRESET' });
      }
      return answer;
    };
    const execution = await execute(fn, { asOf: ASOF });
    outputOf(execution);
    const retried = execution.events.filter((e) => e.type === 'StateRetried');
    expect(retried.map((e) => [e.state?.name, e.index])).toEqual([
      [SWEEP_RUN_STATES.sweepShardPart, 7],
    ]);
    expect(await endState(resources)).toEqual(direct.state);
    const events = await receivedEvents(resources);
    expect(loanEvents(events)).toEqual(loanEvents(direct.events));
    expect(completions(events)).toHaveLength(1);
  });
});

describe('operator runs through the workflow', () => {
  it('a dry run writes and publishes nothing, and previews the charges', async () => {
    const resources = await portfolio('wf-dry');
    const before = await endState(resources);
    const summary = outputOf<WorkflowSummary>(
      await execute(sweepFunction(resources), { asOf: ASOF, dryRun: true }),
    );
    expect(await endState(resources)).toEqual(before);
    expect(await receivedEvents(resources)).toEqual([]);
    expect(summary).toMatchObject({ runId: `dryrun-${ASOF}`, dryRun: true, complete: true });
    expect(summary.loansCharged).toBe(directSummary.loansCharged);
    expect(summary.preview?.length).toBeGreaterThan(0);
    expect(summary.sweepCompleted).toBeUndefined();
  });

  it('a loanIds run sweeps only those loans, in one task that loops on what is left, skipping the map', async () => {
    const resources = await portfolio('wf-ids');
    const named = ['W-00', 'W-01', 'W-04', 'W-404'];
    // Exhausted from the start: one loan per part, so the named-loans task loops.
    const fn = sweepFunction(resources, { budget: () => ({ exhausted: () => true }) });
    const execution = await execute(fn, { asOf: ASOF, loanIds: named });
    const summary = outputOf<WorkflowSummary>(execution);
    expect(entries(execution, SWEEP_RUN_STATES.sweepShards)).toEqual([]);
    expect(entries(execution, SWEEP_RUN_STATES.sweepNamedLoans).length).toBe(named.length);
    const swept = (await scanAll(resources.tables.LOANS_TABLE_NAME))
      .filter((item) => item.accruedThrough !== undefined)
      .map((item) => item.loanId)
      .sort();
    expect(swept).toEqual(['W-00', 'W-01', 'W-04']);
    const state = await endState(resources);
    for (const id of ['W-00', 'W-01', 'W-04']) {
      const byId = (loans: typeof state.loans) => loans.find((loan) => loan.loanId === id);
      expect(byId(state.loans), id).toEqual(byId(direct.state.loans));
    }
    expect(summary.runId).toMatch(/^sweep-2026-11-28-[0-9a-f]{10}$/);
    expect(summary.skipped.loans).toEqual([{ loanId: 'W-404', reason: 'not found' }]);
    expect(summary.shards).toEqual([expect.not.objectContaining({ shard: expect.anything() })]);
    const events = await receivedEvents(resources);
    expect(completions(events).map((e) => e.id)).toEqual([
      `sweep.completed:${ASOF}:${summary.runId}`,
    ]);
    expect(new Set(loanEvents(events).map((e) => e.loanId))).toEqual(
      new Set(['W-00', 'W-01', 'W-04']),
    );
  });
});

describe('a direct run low on time', () => {
  it('hands the rest to a workflow execution, and the end state is that of one run', async () => {
    const resources = await portfolio('wf-handoff');
    const fn = () => sweepFunction(resources);
    const { handOff, started } = localHandOff(fn);
    const stateMachineArn = workflow().stateMachineArn;
    const sweep = sweeper(resources, {
      handOff,
      env: { SWEEP_STATE_MACHINE_ARN: stateMachineArn },
    });
    let checks = 0;
    // The direct run's budget runs out after a few loans.
    const summary = await sweep.run({ asOf: ASOF }, { exhausted: () => ++checks > 5 });
    expect(summary.complete).toBe(false);
    expect(summary.loansExamined).toBeGreaterThan(0);
    expect(summary.loansExamined).toBeLessThan(directSummary.loansExamined);
    expect(summary.continuedIn).toMatch(
      /:execution:OverdueSweep-sweep-run:sweep-2026-11-28-resumed-/,
    );
    expect(summary.resume).toBeUndefined();
    expect(started).toHaveLength(1);
    const execution = await started[0];
    if (!execution) throw new Error('no execution started');
    expect(execution.executionArn).toBe(summary.continuedIn);
    const finished = outputOf<WorkflowSummary>(execution);
    // The finish adds the direct run's totals to the shards'.
    expect(finished).toMatchObject({
      runId: `sweep-${ASOF}`,
      complete: true,
      loansExamined: directSummary.loansExamined,
      loansCharged: directSummary.loansCharged,
      charges: directSummary.charges,
      eventsRecorded: directSummary.eventsRecorded,
    });
    expect(await endState(resources)).toEqual(direct.state);
    const events = await receivedEvents(resources);
    expect(loanEvents(events)).toEqual(loanEvents(direct.events));
    expect(completions(events)).toHaveLength(1);
  });
});
