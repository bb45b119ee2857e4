/**
 * The Lambda entry point: configuration from the environment at import, the middy handler on a
 * Lambda-like context, and what a direct run does when the remaining time runs low.
 */
import type { Context } from 'aws-lambda';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { DirectRunSummary } from '../../../functions/sweep/service';
import { freshResources } from '../../../local/fixtures/aws';
import { lambdaContext } from '../../../local/fixtures/lambda';
import { installmentItem as inst, loanItem } from '../../../local/fixtures/loans';
import { clients, FEE_POLICY, putItems } from '../../../local/fixtures/sweep';
import type { LocalResources } from '../../../local/local-resources';

type SweepSummary = DirectRunSummary;

let resources: LocalResources;

beforeAll(async () => {
  resources = await freshResources(clients, 'sweep-handler');
  await putItems(
    resources.tables.LOANS_TABLE_NAME,
    ['H-1', 'H-2', 'H-3'].map((id) =>
      JSON.parse(JSON.stringify(loanItem(id, [inst(1, '2026-11-10')]))),
    ),
  );
});

describe('the sweep handler module', () => {
  it('fails the cold start with a message naming the missing variables', async () => {
    vi.resetModules();
    vi.stubEnv('LOANS_TABLE_NAME', '');
    vi.stubEnv('LEDGER_TABLE_NAME', '');
    await expect(import('../../../functions/sweep/handler')).rejects.toThrow(
      /LOANS_TABLE_NAME: missing.*LEDGER_TABLE_NAME: missing/,
    );
    vi.unstubAllEnvs();
  });

  it('runs a dry run from the environment it was deployed with', async () => {
    vi.resetModules();
    for (const [name, value] of Object.entries(resources.env)) vi.stubEnv(name, value);
    vi.stubEnv('FEE_POLICY', FEE_POLICY);
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    const { handler } = await import('../../../functions/sweep/handler');
    const summary = (await handler(
      { asOf: '2026-11-28', dryRun: true },
      lambdaContext('sweep', () => 600_000),
    )) as SweepSummary;
    expect(summary).toMatchObject({
      dryRun: true,
      loansExamined: 3,
      loansCharged: 3,
      complete: true,
    });
    vi.unstubAllEnvs();
  });

  it('imported before its environment is set, runs once it is, even without a Lambda context', async () => {
    vi.resetModules();
    for (const name of [
      'LOANS_TABLE_NAME',
      'LEDGER_TABLE_NAME',
      'EVENTS_TOPIC_ARN',
      'FEE_POLICY',
    ]) {
      vi.stubEnv(name, undefined);
    }
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    const { handler } = await import('../../../functions/sweep/handler');
    // A script may call the handler with no context at all.
    const noContext = undefined as unknown as Context;
    await expect(handler({ asOf: '2026-11-28', dryRun: true }, noContext)).rejects.toThrow(
      /LOANS_TABLE_NAME: missing/,
    );
    for (const [name, value] of Object.entries(resources.env)) vi.stubEnv(name, value);
    vi.stubEnv('FEE_POLICY', FEE_POLICY);
    const summary = (await handler(
      { asOf: '2026-11-28', dryRun: true },
      noContext,
    )) as SweepSummary;
    expect(summary).toMatchObject({ dryRun: true, loansExamined: 3, complete: true });
    vi.unstubAllEnvs();
  });

  it('low on time, returns the input that resumes the run instead of invoking itself', async () => {
    vi.resetModules();
    for (const [name, value] of Object.entries(resources.env)) vi.stubEnv(name, value);
    vi.stubEnv('FEE_POLICY', FEE_POLICY);
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    const { handler } = await import('../../../functions/sweep/handler');
    let looks = 0;
    // Ten minutes when the invocation starts; a second later, less than the safety margin.
    const context = lambdaContext('sweep', () => (looks++ === 0 ? 600_000 : 1_000));
    const summary = (await handler({ asOf: '2026-11-28' }, context)) as SweepSummary;
    expect(summary.complete).toBe(false);
    expect(summary.loansExamined).toBeGreaterThan(0);
    expect(summary.loansExamined).toBeLessThan(3);
    expect(summary.resume?.resume).toMatchObject({
      runId: 'sweep-2026-11-28',
      asOf: '2026-11-28',
      scope: { kind: 'due-index' },
    });
    expect(summary.continuedIn).toBeUndefined();
    vi.unstubAllEnvs();
  });
});
