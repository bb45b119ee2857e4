/**
 * The Lambda entry point: configuration from the environment at import, the middy handler on a
 * Lambda-like context, and the continuation it starts when the remaining time runs low.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { SweepSummary } from '../../../functions/sweep/summary';
import type { LocalResources } from '../../../scripts/lib/local-resources';
import { freshResources } from '../../support/aws';
import { clients, FEE_POLICY, inst, loanItem, NOW, putItems, sweeper } from './support';

let resources: LocalResources;

beforeAll(async () => {
  resources = await freshResources(clients, 'sweep-handler');
  await putItems(
    clients.doc,
    resources.tables.LOANS_TABLE_NAME,
    ['H-1', 'H-2', 'H-3'].map((id) =>
      JSON.parse(JSON.stringify(loanItem(id, [inst(1, '2026-11-10')]))),
    ),
  );
});

function lambdaContext(remainingMs: () => number): Context {
  return {
    awsRequestId: 'req-1',
    functionName: 'sweep',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:ap-east-1:1:function:sweep',
    memoryLimitInMB: '512',
    logGroupName: 'g',
    logStreamName: 's',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: remainingMs,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

describe('the sweep handler module', () => {
  it('fails the cold start with a message naming the missing variables', async () => {
    vi.resetModules();
    vi.stubEnv('LOANS_TABLE_NAME', '');
    vi.stubEnv('EVENTS_TOPIC_ARN', '');
    await expect(import('../../../functions/sweep/handler')).rejects.toThrow(
      /LOANS_TABLE_NAME: missing.*EVENTS_TOPIC_ARN: missing/,
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
      lambdaContext(() => 600_000),
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

  it('hands the rest on to its own ARN when the remaining time drops below the margin', async () => {
    const { createHandler } = await import('../../../functions/sweep/handler');
    const { loadSweepConfig } = await import('../../../functions/adapters/config');
    const sweep = sweeper(resources);
    const invoked: { arn: string; payload: unknown }[] = [];
    let remaining = 600_000;
    const handler = createHandler({
      config: loadSweepConfig({ ...resources.env, FEE_POLICY }),
      store: sweep.deps.store,
      publisher: sweep.deps.publisher,
      continuationFor: (arn) => async (payload) => {
        invoked.push({ arn, payload });
      },
      logger: new Logger({ logLevel: 'SILENT' }),
      metrics: new Metrics({ namespace: 'OverdueSweep', serviceName: 'sweep' }),
      clock: () => NOW,
      tuning: { loanConcurrency: 1, pageSize: 1 },
    });
    // Each check of the clock costs 100 s: after the first loan less than the margin is left.
    const context = lambdaContext(() => {
      remaining -= 100_000;
      return remaining;
    });
    const summary = (await handler({ asOf: '2026-11-28' }, context)) as SweepSummary;
    expect(summary.complete).toBe(false);
    expect(invoked).toHaveLength(1);
    expect(invoked[0]?.arn).toBe(context.invokedFunctionArn);
    expect(invoked[0]?.payload).toMatchObject({
      sweepContinuation: { asOf: '2026-11-28', part: 2, runId: 'sweep-2026-11-28' },
    });
  });
});
