/**
 * The reporting Lambda (docs/contract.md, Reports): SQS batches of every event → the daily
 * reports, each event counted exactly once; partial batch failures. Thin: the function is
 * assembled once per configuration (wiring.ts); logging and metrics are middy middlewares fed by
 * the observer (metrics.ts).
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { SQSEvent } from 'aws-lambda';
import { SERVICE_NAMES } from '../contract/observability';
import { environmentConfig } from '../shared/environment';
import { lambdaContextDefaults } from '../shared/lambda-context';
import { createObservability } from '../shared/observability';
import { loadReportingConfig, REPORTING_ENV_VARS } from './config';
import { reportingObserver } from './metrics';
import { awsClients, createReporting } from './wiring';

const { logger, metrics } = createObservability(SERVICE_NAMES.reporting);
// Created once per execution environment.
const clients = awsClients();

// Validated at cold start (see shared/environment.ts): a bad deployment fails the first init.
const reporting = environmentConfig(REPORTING_ENV_VARS, (env) =>
  createReporting(clients, loadReportingConfig(env), {
    observer: reportingObserver(logger, metrics),
  }),
);

export const handler = middy((event: SQSEvent) => reporting().handle(event))
  .use(lambdaContextDefaults())
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
