/**
 * The sweep Lambda (docs/contract.md, Sweep): a whole run invoked directly, or a step of the sweep-run workflow
 * (plan, shard part, finish). Thin: the sweep is assembled once per configuration (wiring.ts), logging and metrics
 * are middy middlewares.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { SERVICE_NAMES } from '../contract/observability';
import { environmentConfig } from '../shared/environment';
import { lambdaContextDefaults } from '../shared/lambda-context';
import { createObservability } from '../shared/observability';
import { budgetOf } from './budget';
import { loadSweepConfig, SWEEP_ENV_VARS } from './config';
import { sweepMetrics } from './observability';
import { awsClients, createSweep } from './wiring';

const { logger, metrics } = createObservability(SERVICE_NAMES.sweep);
// Created once per execution environment.
const clients = awsClients();

// Validated at cold start (see shared/environment.ts): a bad deployment fails the first init.
const sweep = environmentConfig(SWEEP_ENV_VARS, (env) =>
  createSweep(clients, loadSweepConfig(env), { log: logger, report: sweepMetrics(metrics) }),
);

export const handler = middy((event: unknown, context: Context) =>
  sweep().handle(
    event,
    budgetOf(() => context.getRemainingTimeInMillis()),
  ),
)
  .use(lambdaContextDefaults())
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
