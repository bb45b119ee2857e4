/**
 * The sweep Lambda (SPEC §5): validate the input, run the sweep (or this part of it), return the
 * summary. Adapters are built once per environment (on Lambda: once per cold start);
 * configuration errors fail the cold start (see adapters/environment.ts). Logging and metrics are
 * middy middlewares.
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
import { loadSweepConfig, SWEEP_ENV_VARS, type SweepConfig } from '../adapters/config';
import {
  type ContinuationInvoker,
  createLambdaContinuationInvoker,
} from '../adapters/continuation';
import { environmentConfig } from '../adapters/environment';
import { lambdaContextDefaults } from '../adapters/lambda-context';
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

/** The logger and metrics the middlewares flush; fixed for the life of the handler. */
export type SweepObservability = Pick<SweepHandlerDependencies, 'logger' | 'metrics'>;

/**
 * Builds the handler on `deps`, or on a provider of them (resolved per invocation, so the
 * production wiring can follow its environment) with the observability it shares.
 */
export function createHandler(deps: SweepHandlerDependencies): ReturnType<typeof wrap>;
export function createHandler(
  deps: () => SweepHandlerDependencies,
  observability: SweepObservability,
): ReturnType<typeof wrap>;
export function createHandler(
  deps: SweepHandlerDependencies | (() => SweepHandlerDependencies),
  observability?: SweepObservability,
) {
  const resolve = typeof deps === 'function' ? deps : () => deps;
  return wrap(resolve, observability ?? (deps as SweepHandlerDependencies));
}

function wrap(resolve: () => SweepHandlerDependencies, { logger, metrics }: SweepObservability) {
  return middy(async (event: unknown, context: Context): Promise<SweepSummary> => {
    const deps = resolve();
    const job = parseSweepRequest(event, {
      now: deps.clock(),
      timeZone: deps.config.businessTimeZone,
      shardCount: SWEEP_SHARDS,
    });
    logger.appendKeys({ runId: job.runId, asOf: job.asOf, part: job.part });
    logger.info('sweep part started', { trigger: job.trigger, dryRun: job.dryRun });
    const { summary, partTotals } = await runSweep(job, {
      store: deps.store,
      publisher: deps.publisher,
      continueWith: deps.continuationFor(context.invokedFunctionArn),
      policyBook: deps.config.policyBook,
      log: logger,
      clock: deps.clock,
      budget: budgetOf(context, deps.safetyMarginMs),
      shardCount: SWEEP_SHARDS,
      ...(deps.tuning && { tuning: deps.tuning }),
    });
    addSweepMetrics(metrics, partTotals, summary);
    const { preview: _preview, skipped, ...logged } = summary;
    logger.info('sweep part finished', { ...logged, skippedCount: skipped.count });
    return summary;
  })
    .use(lambdaContextDefaults())
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics));
}

const logger = createSweepLogger();
const metrics = createSweepMetrics();
// One client per service for the life of the execution environment; endpoints come from the
// SDK's own AWS_ENDPOINT_URL_* variables.
const dynamodb = new DynamoDBClient({});
const sns = new SNSClient({});
const lambda = new LambdaClient({});

/** Production wiring for a validated configuration. */
function productionDependencies(config: SweepConfig): SweepHandlerDependencies {
  const doc = createLoanDocumentClient(dynamodb);
  return {
    config,
    store: createSweepStore(doc, { loans: config.loansTableName, ledger: config.ledgerTableName }),
    publisher: createSnsPublisher(sns, config.eventsTopicArn),
    continuationFor: (functionArn) => createLambdaContinuationInvoker(lambda, functionArn),
    logger,
    metrics,
    clock: () => new Date(),
  };
}

// Validated now (cold start) when the environment carries the sweep's variables; see environment.ts.
const dependencies = environmentConfig(SWEEP_ENV_VARS, (env) =>
  productionDependencies(loadSweepConfig(env)),
);

export const handler = createHandler(dependencies, { logger, metrics });
