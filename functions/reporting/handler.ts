/**
 * Reporting Lambda (SPEC §8): SQS batches of every event → the daily report, each event counted
 * exactly once; partial batch failures. Configuration is validated at cold start
 * (see adapters/environment.ts).
 */

import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import middy from '@middy/core';
import type { SQSEvent } from 'aws-lambda';
import { METRICS_NAMESPACE, SERVICE_NAMES } from '../../infra/definitions';
import { environmentConfig } from '../adapters/environment';
import { lambdaContextDefaults } from '../adapters/lambda-context';
import { createReportStore } from '../adapters/report-store';
import { loadReportingConfig, REPORTING_ENV_VARS } from './config';
import { createReportingService } from './service';

const logger = new Logger({ serviceName: SERVICE_NAMES.reporting });
const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAMES.reporting });
// One client for the life of the execution environment; its endpoint comes from the SDK's env.
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});

// Validated now (cold start) when the environment carries the function's variables; the service
// is rebuilt only if the environment changes (see adapters/environment.ts).
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
