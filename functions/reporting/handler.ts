/**
 * Reporting Lambda (SPEC §8): SQS batches of every event → the daily report, each event counted
 * exactly once; partial batch failures. Configuration is validated at cold start.
 */

import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import middy from '@middy/core';
import { METRICS_NAMESPACE, SERVICE_NAMES } from '../../infra/definitions';
import { createReportStore } from '../adapters/report-store';
import { loadReportingConfig } from './config';
import { createReportingService } from './service';

const config = loadReportingConfig(process.env);
const logger = new Logger({ serviceName: SERVICE_NAMES.reporting });
const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAMES.reporting });
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});

export const handler = middy(
  createReportingService({
    store: createReportStore(doc, config.reportsTableName),
    logger,
    metrics,
    now: () => new Date(),
  }),
)
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
