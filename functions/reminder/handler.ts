/**
 * Reminder Lambda (SPEC §7): SQS batches of due-soon and overdue events → at most one reminder per
 * loan per business date; partial batch failures. Configuration is validated at cold start
 * (see adapters/environment.ts).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import type { Context, SQSEvent } from 'aws-lambda';
import { METRICS_NAMESPACE, SERVICE_NAMES } from '../../infra/definitions';
import { environmentConfig } from '../adapters/environment';
import { lambdaContextDefaults } from '../adapters/lambda-context';
import { createLoanDocumentClient, getLoanItem } from '../adapters/loan-store';
import { saveReminderOnce } from '../adapters/reminder-store';
import { loadReminderConfig, REMINDER_ENV_VARS } from './config';
import { createReminderBatchHandler } from './service';

const logger = new Logger({ serviceName: SERVICE_NAMES.reminder });
const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAMES.reminder });
// One client for the life of the execution environment; its endpoint comes from the SDK's env.
const doc = createLoanDocumentClient(new DynamoDBClient({}));

// Validated now (cold start) when the environment carries the function's variables; the batch
// handler is rebuilt only if the environment changes (see adapters/environment.ts).
const batchHandler = environmentConfig(REMINDER_ENV_VARS, (env) => {
  const config = loadReminderConfig(env);
  return createReminderBatchHandler({
    readLoan: (loanId) => getLoanItem(doc, config.loansTableName, loanId),
    saveReminder: (item) => saveReminderOnce(doc, config.remindersTableName, item),
    policyBook: config.policyBook,
    businessTimeZone: config.businessTimeZone,
    now: () => new Date(),
    logger,
    metrics,
  });
});

export const handler = middy((event: SQSEvent, context: Context) => batchHandler()(event, context))
  .use(lambdaContextDefaults())
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
