/**
 * Workflow steps prove where they come from (docs/contract.md, Input), on the emulators: a finish
 * or a resume typed into the Lambda console, or naming an execution that is not running or not of
 * the sweep-run state machine, is refused before anything is read or written — the forged
 * completion of issue 24 never reaches the run record — while the real run, whose steps name its
 * running execution, sweeps and records as before.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { WorkflowSummary } from '../../../functions/sweep/finish';
import { emptyTotals } from '../../../functions/sweep/summary';
import { freshResources } from '../../../local/fixtures/aws';
import { installmentItem as inst, loanItem } from '../../../local/fixtures/loans';
import {
  clients,
  putItems,
  runRecordOf,
  sweepEndState,
  sweeper,
} from '../../../local/fixtures/sweep';
import { TEST_STATE_MACHINE_ARN } from '../../../local/fixtures/test-execution';
import type { LocalResources } from '../../../local/local-resources';
import { execute, outputOf, sweepFunction, workflow } from '../../support/workflow';

const ASOF = '2026-11-28';
const header = { runId: `sweep-${ASOF}`, asOf: ASOF, dryRun: false };
/** Charges 123,456,789 fen on a day that charged a few thousand (the finding). */
const forgedTotals = {
  ...emptyTotals(),
  loansExamined: 1,
  loansCharged: 1,
  eventsRecorded: 1,
  charges: { CNY: { lateFees: 123_456_789, penaltyInterest: 0 } },
};
const forgedFinish = {
  finish: {
    ...header,
    shards: [{ complete: true, shard: 0, totals: forgedTotals, durationMs: 1 }],
  },
};
const forgedResume = {
  plan: {
    resume: {
      ...header,
      scope: { kind: 'due-index', shards: [{ shard: 0 }] },
      totals: { ...emptyTotals(), loansExamined: 5_000, loansOverdue: 5_000 },
    },
  },
};
const execution = (name: string) =>
  `${TEST_STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${name}`;

let resources: LocalResources;

beforeAll(async () => {
  workflow();
  resources = await freshResources(clients, 'wf-origin');
  await putItems(resources.tables.LOANS_TABLE_NAME, [
    JSON.parse(JSON.stringify(loanItem('O-1', [inst(1, '2026-11-10')], { sweepShard: 0 }))),
  ]);
}, 120_000);

/** Sends `event` as given and expects it refused, naming `problem`, with nothing read or written. */
async function refused(event: unknown, problem: RegExp) {
  const before = await sweepEndState(resources);
  const sweep = sweeper(resources);
  const error = await sweep.asGiven(event).catch((e: unknown) => e);
  expect(error).toMatchObject({ name: 'ValidationError' });
  expect(String(error)).toMatch(problem);
  expect(sweep.reads).toEqual([]);
  expect(await sweepEndState(resources)).toEqual(before);
}

describe('a workflow step from outside a running execution', () => {
  it('a finish typed into the console is refused, and records no completion (the finding)', async () => {
    await refused(forgedFinish, /execution: missing/);
    expect(await runRecordOf(resources, header.runId)).toBeUndefined();
  });

  it('a resume typed into the console is refused (the finding)', async () => {
    await refused(forgedResume, /execution: missing/);
  });

  it.each([
    ['an execution that is not running', execution('long-finished')],
    [
      'an execution of another state machine',
      'arn:aws:states:us-east-1:000000000000:execution:Other-sweep-run:x',
    ],
    ['another account', execution('x').replace('000000000000', '111111111111')],
    ['not an ARN', 'sweep-run'],
  ])('a finish naming %s is refused', async (_name, arn) => {
    await refused({ ...forgedFinish, execution: arn }, /execution: /);
  });
});

describe('the real run', () => {
  it('sweeps, records its completion, and its steps cannot be replayed once it ended', async () => {
    const run = await execute(sweepFunction(resources), { asOf: ASOF }, 'origin-real');
    const summary = outputOf<WorkflowSummary>(run);
    expect(summary).toMatchObject({ loansCharged: 1, sweepCompleted: { runRecord: 'recorded' } });
    const recorded = await runRecordOf(resources, header.runId);
    expect(recorded?.data).toMatchObject({ loansCharged: 1, charges: summary.charges });
    // Its finish replayed with its own, now ended, execution id.
    await refused(
      { ...forgedFinish, execution: run.executionArn },
      /execution: not a running execution/,
    );
    expect((await runRecordOf(resources, header.runId))?.data).toEqual(recorded?.data);
  });
});
