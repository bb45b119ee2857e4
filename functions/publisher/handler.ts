/**
 * The stream publisher Lambda (SPEC §5.5, §9): on the loans table's stream (NEW_AND_OLD_IMAGES),
 * publishes the events each sweep write recorded and answers with `batchItemFailures`, so Lambda
 * retries from the first record whose events SNS did not accept.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { SNSClient } from '@aws-sdk/client-sns';
import middy from '@middy/core';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { createSnsPublisher } from '../adapters/sns-publisher';
import { METRIC_NAMES, SERVICE_NAMES } from '../contract/observability';
import { environmentConfig } from '../shared/environment';
import { lambdaContextDefaults } from '../shared/lambda-context';
import { createObservability } from '../shared/observability';
import { loadPublisherConfig, PUBLISHER_ENV_VARS } from './config';
import { createPublisherService } from './service';

const { logger, metrics } = createObservability(SERVICE_NAMES.publisher);
// One client for the life of the execution environment; its endpoint comes from the SDK's env.
const sns = new SNSClient({});

// Validated at cold start (see shared/environment.ts).
const publish = environmentConfig(PUBLISHER_ENV_VARS, (env) =>
  createPublisherService(createSnsPublisher(sns, loadPublisherConfig(env).eventsTopicArn), {
    published: (count, calls) => {
      metrics.addMetric(METRIC_NAMES.publisher.eventsPublished, MetricUnit.Count, count);
      metrics.addMetric(METRIC_NAMES.publisher.publishBatchCalls, MetricUnit.Count, calls);
    },
    unreadable: (loanId, reason) => {
      logger.error('recorded events cannot be read; nothing of them is published', {
        loanId,
        reason,
      });
      metrics.addMetric(METRIC_NAMES.publisher.unreadableOutboxes, MetricUnit.Count, 1);
    },
    failed: (eventId, reason) => {
      logger.warn('event not accepted by SNS; Lambda retries its record', { eventId, reason });
      metrics.addMetric(METRIC_NAMES.publisher.eventsNotAccepted, MetricUnit.Count, 1);
    },
  }),
);

export const handler = middy((event: DynamoDBStreamEvent) => publish()(event))
  .use(lambdaContextDefaults())
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
