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

// Both defects the fuzz found in validation (a part rejected as `part: Invalid input`; a part's
// unknown key quoted whole) are fixed; their tests in `test/integration/fuzz/requests.test.ts`.
const KNOWN_DEFECTS: readonly KnownDefect[] = [];

/** The id of the known defect a violation shows, if any. */
export function knownDefectOf(violation: Violation): string | undefined {
  return KNOWN_DEFECTS.find((defect) => defect.matches(violation))?.id;
}

/** The violations that are not a known defect. */
export function unknownViolations(violations: readonly Violation[]): Violation[] {
  return violations.filter((violation) => knownDefectOf(violation) === undefined);
}
