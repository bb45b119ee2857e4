/**
 * What one invocation sweeps: a business date, dry or not, under a run id, over a scope — the due
 * index's shards (each from a cursor) or named loans.
 */
import { createHash } from 'node:crypto';
import { SWEEP_SHARDS } from '../contract/tables';
import type { BusinessDate } from '../core/types';
import type { DueCursor } from './ports';

/** Where one shard's walk resumes: after `after`, or from the start. */
export interface ShardCursor {
  readonly shard: number;
  readonly after?: DueCursor;
}

/** The loans a job covers: due-index shards not yet finished, or named loans not yet done. */
export type SweepScope =
  | { readonly kind: 'due-index'; readonly shards: readonly ShardCursor[] }
  | { readonly kind: 'loan-ids'; readonly loanIds: readonly string[] };

/** What started the job, for the logs. */
export type Trigger = 'schedule' | 'rule' | 'operator' | 'workflow';

/** One invocation's work. */
export interface SweepJob {
  readonly asOf: BusinessDate;
  readonly dryRun: boolean;
  readonly runId: string;
  readonly scope: SweepScope;
  readonly trigger: Trigger;
}

/** Every shard from its start. */
export function fullScope(): SweepScope {
  return {
    kind: 'due-index',
    shards: Array.from({ length: SWEEP_SHARDS }, (_, shard) => ({ shard })),
  };
}

/**
 * The run id, deterministic per (asOf, scope, dry run) so a re-run re-sends the same
 * `sweep.completed` id: `sweep-2026-11-28`, `sweep-2026-11-28-<hash of the sorted ids>`,
 * `dryrun-…` for dry runs.
 */
export function runIdOf(asOf: BusinessDate, dryRun: boolean, loanIds?: readonly string[]): string {
  const base = `${dryRun ? 'dryrun' : 'sweep'}-${asOf}`;
  if (!loanIds) return base;
  const hash = createHash('sha256')
    .update([...loanIds].sort().join('\n'))
    .digest('hex')
    .slice(0, 10);
  return `${base}-${hash}`;
}

/**
 * The problem with a workflow step's `runId` (at `field`), if any: it must be the id `runIdOf`
 * gives its `asOf` and `dryRun` — for named loans, that id and a digest (a part after the first
 * carries only the ids not yet swept, so the digest itself cannot be checked there).
 */
export function runIdProblem(
  field: string,
  runId: string,
  asOf: BusinessDate,
  dryRun: boolean,
  named: boolean,
): string | undefined {
  const base = runIdOf(asOf, dryRun);
  const of = `the run id of ${named ? 'named loans of ' : ''}${asOf}${dryRun ? ', dry run' : ''}`;
  if (!named) return runId === base ? undefined : `${field}: must be ${base}, ${of}`;
  return new RegExp(`^${base}-[0-9a-f]{10}$`).test(runId)
    ? undefined
    : `${field}: must be ${base}-<10 hex digits>, ${of}`;
}
