/**
 * The stream publisher Lambda: on the loans table's stream (NEW_AND_OLD_IMAGES), publishes the
 * events each write recorded, reports loans the sweep can never reach, and answers with
 * `batchItemFailures`, so Lambda retries from the first record whose events SNS failed for a
 * passing reason. Thin: assembled once per configuration (wiring.ts); logs and metrics from each
 * batch's report (metrics.ts), through middy middlewares.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { SERVICE_NAMES } from '../contract/observability';
import { environmentConfig } from '../shared/environment';
import { lambdaContextDefaults } from '../shared/lambda-context';
import { createObservability } from '../shared/observability';
import { loadPublisherConfig, PUBLISHER_ENV_VARS } from './config';
import { publisherMetrics } from './metrics';
import { awsClients, createPublisher } from './wiring';

const { logger, metrics } = createObservability(SERVICE_NAMES.publisher);
// Created once per execution environment.
const clients = awsClients();

// Validated at cold start (see shared/environment.ts).
const publish = environmentConfig(PUBLISHER_ENV_VARS, (env) =>
  createPublisher(clients, loadPublisherConfig(env), { report: publisherMetrics(logger, metrics) }),
);

export const handler = middy((event: DynamoDBStreamEvent) => publish()(event))
  .use(lambdaContextDefaults())
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
