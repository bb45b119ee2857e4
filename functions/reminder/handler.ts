/**
 * Reminder Lambda (SPEC §7): SQS batches of due-soon and overdue events → at most one reminder per
 * loan per business date; partial batch failures. Configuration is validated at cold start.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import { METRICS_NAMESPACE, SERVICE_NAMES } from '../../infra/definitions';
import { createLoanDocumentClient, getLoanItem } from '../adapters/loan-store';
import { saveReminderOnce } from '../adapters/reminder-store';
import { loadReminderConfig } from './config';
import { createReminderBatchHandler } from './service';

const config = loadReminderConfig(process.env);
const logger = new Logger({ serviceName: SERVICE_NAMES.reminder });
const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAMES.reminder });
const doc = createLoanDocumentClient(new DynamoDBClient({}));

export const handler = middy(
  createReminderBatchHandler({
    readLoan: (loanId) => getLoanItem(doc, config.loansTableName, loanId),
    saveReminder: (item) => saveReminderOnce(doc, config.remindersTableName, item),
    policyBook: config.policyBook,
    businessTimeZone: config.businessTimeZone,
    now: () => new Date(),
    logger,
    metrics,
  }),
)
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
