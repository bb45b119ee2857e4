/**
 * Reporting Lambda (SPEC §8): SQS batches of every event → the daily report, each event counted
 * exactly once; partial batch failures. Configuration is validated at cold start
 * (see shared/environment.ts).
 */

import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import type { SQSEvent } from 'aws-lambda';
import { documentClient } from '../adapters/dynamodb';
import { createReportStore } from '../adapters/report-store';
import { SERVICE_NAMES } from '../contract/observability';
import { environmentConfig } from '../shared/environment';
import { lambdaContextDefaults } from '../shared/lambda-context';
import { createObservability } from '../shared/observability';
import { loadReportingConfig, REPORTING_ENV_VARS } from './config';
import { createReportingService } from './service';

const { logger, metrics } = createObservability(SERVICE_NAMES.reporting);
// One client for the life of the execution environment; its endpoint comes from the SDK's env.
const doc = documentClient(new DynamoDBClient({}), { exactNumbers: false });

// Validated at cold start (see shared/environment.ts).
const service = environmentConfig(REPORTING_ENV_VARS, (env) =>
  createReportingService({
    store: createReportStore(doc, loadReportingConfig(env).reportsTableName),
    logger,
    metrics,
    now: () => new Date(),
  }),
);

export const handler = middy((event: SQSEvent) => service()(event))
  .use(lambdaContextDefaults())
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
