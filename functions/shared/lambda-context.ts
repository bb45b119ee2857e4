/**
 * A middy middleware that completes a missing or partial Lambda context. Lambda always passes a
 * full one; an operator's script, the local run or a test harness may pass none or a bare object,
 * and the handler should still run (with no time limit) instead of failing inside logging.
 */
import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';

/** Fills in every Context field the handlers and Powertools read that the caller left out. */
export function completeContext(context: Partial<Context> | undefined): Context {
  const functionName = context?.functionName ?? process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'local';
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: functionName,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '0',
    awsRequestId: 'local',
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME ?? 'local',
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME ?? 'local',
    // No deadline known: the run never hands on for lack of time.
    getRemainingTimeInMillis: () => Number.POSITIVE_INFINITY,
    done: () => {},
    fail: () => {},
    succeed: () => {},
    ...context,
  };
}

/** Use it first, so the middlewares after it see a complete context. */
export function lambdaContextDefaults(): MiddlewareObj<unknown, unknown, Error, Context> {
  return {
    before: (request) => {
      request.context = completeContext(request.context);
    },
  };
}
