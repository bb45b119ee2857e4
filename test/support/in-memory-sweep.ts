/**
 * The sweep service on the in-memory LoanBook, for unit tests of the run loop and the workflow's
 * steps: a fixed clock (09:00 on 2026-11-28 in Shanghai), a ¥5 late fee, one loan at a time (so a
 * budget that runs out after n loans stops at a known place), and what it announced and reported.
 */
import { parsePolicyBook } from '../../functions/core/policy';
import type { EventEnvelope } from '../../functions/core/types';
import type { Announcer, LoanChange, RunHandOff } from '../../functions/sweep/ports';
import type { TimeBudget } from '../../functions/sweep/run';
import { createSweepService, type InvocationReport } from '../../functions/sweep/service';
import { type InjectedFault, inMemoryLoanBook } from './in-memory-loan-book';

/** The sweep's clock: 01:00 UTC is 09:00 on 2026-11-28 in Shanghai. */
export const SWEEP_NOW = new Date('2026-11-28T01:00:00.000Z');
/** A budget that never runs out. */
export const unlimited: TimeBudget = { exhausted: () => false };

/** What may vary between tests. */
export interface InMemorySweepOptions {
  readonly fault?: (change: LoanChange, attempt: number) => InjectedFault | undefined;
  /** Answers `sweep.completed`; by default accepts it and keeps it in `announced`. */
  readonly announce?: Announcer['announce'];
  readonly handOff?: RunHandOff;
}

/** A sweep over `items`, with its book, what it announced and what each invocation reported. */
export function inMemorySweep(
  items: Record<string, unknown>[],
  options: InMemorySweepOptions = {},
) {
  const book = inMemoryLoanBook(items, options.fault);
  const announced: EventEnvelope[] = [];
  const reports: InvocationReport[] = [];
  const service = createSweepService({
    book,
    announcer: {
      announce:
        options.announce ??
        (async (event) => {
          announced.push(event);
          return { accepted: true };
        }),
    },
    ...(options.handOff && { handOff: options.handOff }),
    policyBook: parsePolicyBook(JSON.stringify({ default: { lateFee: 500 } })),
    timeZone: 'Asia/Shanghai',
    log: { info: () => {}, warn: () => {}, error: () => {} },
    clock: () => SWEEP_NOW,
    tuning: { loanConcurrency: 1, pageSize: 2, maxAttempts: 3 },
    report: (report) => reports.push(report),
  });
  return {
    book,
    announced,
    reports,
    handle: (event: unknown, budget: TimeBudget = unlimited) => service.handle(event, budget),
  };
}
