/**
 * The benchmark's workflow figures (docs/performance.md): a whole run as an execution of the synthesized
 * sweep-run workflow on the local interpreter — 16 shard parts at once, at the direct run's total
 * concurrency — and the sweep's peak memory at 1× and 4× the candidates, each measured in a fresh
 * process as a Lambda invocation would be, so one measurement's heap does not inflate the next.
 */

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ENV } from '../functions/contract/environment';
import { SWEEP_SHARDS } from '../functions/contract/tables';
import { SWEEP_RUN_STATES } from '../functions/contract/workflow';
import type { BusinessDate } from '../functions/core/types';
import { loadSweepConfig } from '../functions/sweep/config';
import type { WorkflowSummary } from '../functions/sweep/finish';
import { DEFAULT_TUNING } from '../functions/sweep/run';
import { createSweep } from '../functions/sweep/wiring';
import { localExecutions } from './local-executions';
import type { LocalResources } from './local-resources';
import { startExecution, synthesizedWorkflow } from './workflow';

/** What the workflow run measured. */
export interface WorkflowRunFigures {
  readonly loans: number;
  readonly charged: number;
  readonly ms: number;
  readonly shardParts: number;
  /** Tasks Step Functions retried (a retry waits the definition's interval, seconds). */
  readonly retries: number;
}

/**
 * Sweeps `resources` (seeded) for `asOf` as one workflow execution: each shard part on its own
 * sweep, as each Lambda invocation is on AWS, with 32 ÷ 16 = 2 loans in flight, so the run as a
 * whole keeps the direct run's 32 and the figures compare the orchestration, not the concurrency.
 */
export async function measureWorkflowRun(
  clients: { dynamodb: DynamoDBClient },
  resources: LocalResources,
  asOf: BusinessDate,
): Promise<WorkflowRunFigures> {
  const workflow = synthesizedWorkflow();
  // Each step's execution is checked with the interpreter, which runs it.
  const config = loadSweepConfig({
    ...process.env,
    ...resources.env,
    [ENV.stateMachineArn]: workflow.stateMachineArn,
  });
  const tuning = { loanConcurrency: Math.max(1, DEFAULT_TUNING.loanConcurrency / SWEEP_SHARDS) };
  const unlimited = { exhausted: () => false };
  const sweep = createSweep({ ...clients, executions: localExecutions }, config, { tuning });
  const fn = (event: unknown) => sweep.handle(event, unlimited);
  let shardParts = 0;
  let retries = 0;
  // No memory sampling here: its forced collections, once a second over a heap that holds the
  // synthesized app's library, would slow this run against the direct one; memory is measured
  // per process (measureSweepMemory).
  const started = performance.now();
  const execution = startExecution(
    workflow,
    { [workflow.sweepFunctionArn]: fn },
    { asOf },
    {
      name: `bench-${asOf}`,
      onEvent: (event) => {
        if (event.type === 'StateEntered' && event.state?.name === SWEEP_RUN_STATES.sweepShardPart)
          shardParts++;
        if (event.type === 'StateRetried') retries++;
      },
    },
  );
  const result = await execution.result;
  const ms = performance.now() - started;
  if (result.status !== 'SUCCEEDED') {
    throw new Error(`the workflow run did not succeed: ${JSON.stringify(result)}`);
  }
  const summary = result.output as WorkflowSummary;
  return {
    loans: summary.loansExamined,
    charged: summary.loansCharged,
    ms,
    shardParts,
    retries,
  };
}

/** What a sweep in a process of its own used. */
export interface SweepMemory {
  readonly loans: number;
  /** CPU time of the sweep's process per loan, milliseconds. */
  readonly cpuMsPerLoan: number;
  readonly peakRssBytes: number;
  readonly peakLiveHeapBytes: number | null;
}

const CHILD = fileURLToPath(new URL('./bench-memory-child.ts', import.meta.url));

/**
 * Runs a direct sweep of `resources` (seeded) for `asOf` in a fresh Node process and reports its
 * peak memory: the process holds nothing but the sweep, like a Lambda execution environment.
 */
export function measureSweepMemory(
  resources: LocalResources,
  asOf: BusinessDate,
): Promise<SweepMemory> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', CHILD], {
      env: { ...process.env, ...resources.env, BENCH_AS_OF: asOf },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`the memory measurement exited with ${code}`));
      else resolve(JSON.parse(output) as SweepMemory);
    });
  });
}
