/**
 * fast-check settings of the fuzz properties under `npm test` (issue 14). The suite shares a
 * small machine with DynamoDB Local and the other test files, so a property's runs are bounded in
 * time as well as in number, and a run that stalls fails on its own, with the seed and the case
 * fast-check prints to replay it, rather than as a bare test timeout that loses both.
 */
import fc from 'fast-check';

/** Time after which no further run starts: the runs done so far decide (vitest allows 60 s). */
const RUNS_TIME_LIMIT_MS = 35_000;
/** Time one run may take: a run takes under a second here, a stalled one never ends. */
const RUN_TIME_LIMIT_MS = 20_000;

/** Settings for `numRuns` runs of an asynchronous fuzz property in the test suite. */
export function testFuzzSettings(numRuns: number): fc.Parameters<unknown> {
  return {
    numRuns,
    // A stalled run is a finding to replay, not a case to shrink (each shrink could stall too).
    endOnFailure: true,
    plugins: [fc.interruptAfterTimeLimit(RUNS_TIME_LIMIT_MS), fc.timeout(RUN_TIME_LIMIT_MS)],
  };
}
