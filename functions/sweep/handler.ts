/**
 * The sweep Lambda (SPEC §5): a whole run invoked directly, or a step of the sweep-run workflow
 * (plan, shard part, finish). Thin: the sweep is assembled once per configuration (wiring.ts), logging and metrics
 * are middy middlewares.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { SERVICE_NAMES } from '../../infra/definitions';
import { environmentConfig } from '../shared/environment';
import { lambdaContextDefaults } from '../shared/lambda-context';
import { createObservability } from '../shared/observability';
import { budgetOf } from './budget';
import { loadSweepConfig, SWEEP_ENV_VARS } from './config';
import { sweepMetrics } from './observability';
import { createSweep } from './wiring';

const { logger, metrics } = createObservability(SERVICE_NAMES.sweep);
// One client per service for the life of the execution environment; endpoints come from the
// SDK's own AWS_ENDPOINT_URL_* variables.
const clients = {
  dynamodb: new DynamoDBClient({}),
  sns: new SNSClient({}),
  sfn: new SFNClient({}),
};

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
