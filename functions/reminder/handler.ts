/**
 * The reminder Lambda (docs/contract.md, Reminders): SQS batches of due-soon, overdue, notice,
 * plan-offer and broken-promise events → at most one reminder per borrower and business date,
 * within the contact policy; partial batch failures. Thin: the function is assembled once per
 * configuration (wiring.ts); logging and metrics are middy middlewares fed by the observer
 * (metrics.ts). Configuration is validated at cold start (see shared/environment.ts).
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { SQSEvent } from 'aws-lambda';
import { SERVICE_NAMES } from '../contract/observability';
import { environmentConfig } from '../shared/environment';
import { lambdaContextDefaults } from '../shared/lambda-context';
import { createObservability } from '../shared/observability';
import { loadReminderConfig, REMINDER_ENV_VARS } from './config';
import { reminderObserver } from './metrics';
import { awsClients, createReminder } from './wiring';

const { logger, metrics } = createObservability(SERVICE_NAMES.reminder);
// Created once per execution environment.
const clients = awsClients();

// Validated at cold start (see shared/environment.ts): a bad deployment fails the first init.
const reminder = environmentConfig(REMINDER_ENV_VARS, (env) =>
  createReminder(clients, loadReminderConfig(env), {
    observer: reminderObserver(logger, metrics),
  }),
);

export const handler = middy((event: SQSEvent) => reminder().handle(event))
  .use(lambdaContextDefaults())
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
