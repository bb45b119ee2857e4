/**
 * The sweep service on the in-memory LoanBook, for unit tests of the run loop and the workflow's
 * steps: a fixed clock (09:00 on 2026-11-28 in Shanghai), a ¥5 late fee, one loan at a time (so a
 * budget that runs out after n loans stops at a known place), and what it recorded and reported.
 */
import { parsePolicyBook } from '../../functions/core/policy';
import type { LoanChange, RunHandOff } from '../../functions/sweep/ports';
import type { TimeBudget } from '../../functions/sweep/run';
import { createSweepService, type InvocationReport } from '../../functions/sweep/service';
import {
  fromTestExecution,
  TEST_EXECUTION,
  TEST_STATE_MACHINE_ARN,
} from '../../local/fixtures/test-execution';
import { type InjectedFault, inMemoryLoanBook } from './in-memory-loan-book';

/** The sweep's clock: 01:00 UTC is 09:00 on 2026-11-28 in Shanghai. */
export const SWEEP_NOW = new Date('2026-11-28T01:00:00.000Z');
/** A budget that never runs out. */
export const unlimited: TimeBudget = { exhausted: () => false };

/** What may vary between tests. */
export interface InMemorySweepOptions {
  readonly fault?: (change: LoanChange, attempt: number) => InjectedFault | undefined;
  readonly handOff?: RunHandOff;
}

/**
 * A sweep over `items`, with its book, the `sweep.completed` each finish asked to record
 * (`announced`, kept ones included; `book.runRecords` holds those that stand) and what each
 * invocation reported.
 */
export function inMemorySweep(
  items: Record<string, unknown>[],
  options: InMemorySweepOptions = {},
) {
  const book = inMemoryLoanBook(items, options.fault);
  const reports: InvocationReport[] = [];
  const service = createSweepService({
    book,
    ...(options.handOff && { handOff: options.handOff }),
    workflow: {
      stateMachineArn: TEST_STATE_MACHINE_ARN,
      executions: { isRunning: async (arn) => arn === TEST_EXECUTION },
    },
    policyBook: parsePolicyBook(JSON.stringify({ default: { lateFee: 500 } })),
    timeZone: 'Asia/Shanghai',
    log: { info: () => {}, warn: () => {}, error: () => {} },
    clock: () => SWEEP_NOW,
    tuning: { loanConcurrency: 1, pageSize: 2, maxAttempts: 3 },
    report: (report) => reports.push(report),
  });
  return {
    book,
    announced: book.completions,
    reports,
    /** Handles `event`, a workflow step as the running test execution sends it. */
    handle: (event: unknown, budget: TimeBudget = unlimited) =>
      service.handle(fromTestExecution(event), budget),
    /** Handles `event` exactly as given (a step from nowhere, or from another execution). */
    handleAsGiven: (event: unknown, budget: TimeBudget = unlimited) =>
      service.handle(event, budget),
  };
}
