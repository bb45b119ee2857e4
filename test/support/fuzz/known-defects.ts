/**
 * Defects the fuzz found in `functions/` that are not fixed yet. Each has an `it.fails` test in
 * `test/integration/fuzz/known-defects.test.ts` with an input that reproduces it; the fuzz
 * properties in `npm test` let these violations (and only these) pass so the suite stays green,
 * and `npm run fuzz` reports them by name. When a defect is fixed, its `it.fails` test fails:
 * delete the test's `.fails` and the entry here.
 */
import type { Violation } from './tally';

interface KnownDefect {
  readonly id: string;
  readonly matches: (violation: Violation) => boolean;
}

const KNOWN_DEFECTS: readonly KnownDefect[] = [
  {
    // A part that fails the schema of both of its forms (shard or loanIds) is rejected as
    // `part: Invalid input`, which names none of the problems (zod's union issue is not opened).
    id: 'part-union-message',
    matches: (v) => v.kind === 'unnamed-problem' && v.detail.includes('part: Invalid input'),
  },
  {
    // A part's unknown key is quoted whole (zod's unrecognized-keys message), however long: the
    // message is unbounded and may carry whatever the key holds.
    id: 'part-message-echo',
    matches: (v) => v.kind === 'unbounded-message' && v.detail.includes('Unrecognized key'),
  },
];

/** The id of the known defect a violation shows, if any. */
export function knownDefectOf(violation: Violation): string | undefined {
  return KNOWN_DEFECTS.find((defect) => defect.matches(violation))?.id;
}

/** The violations that are not a known defect. */
export function unknownViolations(violations: readonly Violation[]): Violation[] {
  return violations.filter((violation) => knownDefectOf(violation) === undefined);
}
