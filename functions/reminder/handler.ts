/**
 * Reminder Lambda (SPEC §7): SQS batches of due-soon and overdue events → at most one reminder per
 * loan per business date; partial batch failures. Configuration is validated at cold start
 * (see shared/environment.ts).
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import type { Context, SQSEvent } from 'aws-lambda';
import { documentClient } from '../adapters/dynamodb';
import { readLoanItem } from '../adapters/loan-store';
import { saveReminderOnce } from '../adapters/reminder-store';
import { SERVICE_NAMES } from '../contract/observability';
import { environmentConfig } from '../shared/environment';
import { lambdaContextDefaults } from '../shared/lambda-context';
import { createObservability } from '../shared/observability';
import { loadReminderConfig, REMINDER_ENV_VARS } from './config';
import { createReminderBatchHandler } from './service';

const { logger, metrics } = createObservability(SERVICE_NAMES.reminder);
// One client for the life of the execution environment; its endpoint comes from the SDK's env.
// Loans are read with exact numbers: rates are decimals.
const doc = documentClient(new DynamoDBClient({}), { exactNumbers: true });

// Validated at cold start (see shared/environment.ts).
const batchHandler = environmentConfig(REMINDER_ENV_VARS, (env) => {
  const config = loadReminderConfig(env);
  return createReminderBatchHandler({
    readLoan: (loanId) => readLoanItem(doc, config.loansTableName, loanId),
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
