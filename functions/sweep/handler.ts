/**
 * The sweep Lambda (SPEC §5): validate the input, run the sweep (or this part of it), return the
 * summary. Adapters are built once per cold start; configuration errors fail the cold start.
 * Logging and metrics are middy middlewares.
 */

import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SNSClient } from '@aws-sdk/client-sns';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { SWEEP_SHARDS } from '../../infra/definitions';
import { loadSweepConfig, type SweepConfig } from '../adapters/config';
import {
  type ContinuationInvoker,
  createLambdaContinuationInvoker,
} from '../adapters/continuation';
import { createLoanDocumentClient } from '../adapters/loan-store';
import { createSnsPublisher, type EventPublisher } from '../adapters/sns-publisher';
import { createSweepStore, type SweepStore } from '../adapters/sweep-store';
import { addSweepMetrics, createSweepLogger, createSweepMetrics } from './observability';
import { parseSweepRequest } from './request';
import { runSweep, type SweepTuning, type TimeBudget } from './run-sweep';
import type { SweepSummary } from './summary';

/** What the handler is wired with: production adapters, or emulators and fakes in tests. */
export interface SweepHandlerDependencies {
  readonly config: SweepConfig;
  readonly store: SweepStore;
  readonly publisher: EventPublisher;
  /** The continuation port for the function `functionArn` (this invocation's own ARN). */
  readonly continuationFor: (functionArn: string) => ContinuationInvoker;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly clock: () => Date;
  /** Remaining Lambda time, milliseconds, below which a part stops taking new loans. */
  readonly safetyMarginMs?: (initialRemainingMs: number) => number;
  readonly tuning?: Partial<SweepTuning>;
}

/** At most a minute, at least 5 s, otherwise a fifth of the time the invocation started with. */
export function defaultSafetyMarginMs(initialRemainingMs: number): number {
  return Math.min(60_000, Math.max(5_000, Math.floor(initialRemainingMs * 0.2)));
}

/** The time budget of one invocation, from the Lambda context. */
export function budgetOf(context: Context, marginOf = defaultSafetyMarginMs): TimeBudget {
  const margin = marginOf(context.getRemainingTimeInMillis());
  return { exhausted: () => context.getRemainingTimeInMillis() < margin };
}

/** Builds the handler on `deps`. */
export function createHandler(deps: SweepHandlerDependencies) {
  return middy(async (event: unknown, context: Context): Promise<SweepSummary> => {
    const job = parseSweepRequest(event, {
      now: deps.clock(),
      timeZone: deps.config.businessTimeZone,
      shardCount: SWEEP_SHARDS,
    });
    deps.logger.appendKeys({ runId: job.runId, asOf: job.asOf, part: job.part });
    deps.logger.info('sweep part started', { trigger: job.trigger, dryRun: job.dryRun });
    const { summary, partTotals } = await runSweep(job, {
      store: deps.store,
      publisher: deps.publisher,
      continueWith: deps.continuationFor(context.invokedFunctionArn),
      policyBook: deps.config.policyBook,
      log: deps.logger,
      clock: deps.clock,
      budget: budgetOf(context, deps.safetyMarginMs),
      shardCount: SWEEP_SHARDS,
      ...(deps.tuning && { tuning: deps.tuning }),
    });
    addSweepMetrics(deps.metrics, partTotals, summary);
    const { preview: _preview, skipped, ...logged } = summary;
    deps.logger.info('sweep part finished', { ...logged, skippedCount: skipped.count });
    return summary;
  })
    .use(injectLambdaContext(deps.logger, { resetKeys: true }))
    .use(logMetrics(deps.metrics));
}

/** Production wiring from the environment; throws ConfigError (failing the cold start). */
function productionDependencies(): SweepHandlerDependencies {
  const config = loadSweepConfig(process.env);
  const doc = createLoanDocumentClient(new DynamoDBClient({}));
  const lambda = new LambdaClient({});
  return {
    config,
    store: createSweepStore(doc, {
      loans: config.loansTableName,
      ledger: config.ledgerTableName,
    }),
    publisher: createSnsPublisher(new SNSClient({}), config.eventsTopicArn),
    continuationFor: (functionArn) => createLambdaContinuationInvoker(lambda, functionArn),
    logger: createSweepLogger(),
    metrics: createSweepMetrics(),
    clock: () => new Date(),
  };
}

export const handler = createHandler(productionDependencies());
