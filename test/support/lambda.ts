/** The one fake Lambda context of the tests: what the runtime passes a function. */
import type { Context } from 'aws-lambda';

/** A context for `functionName` with `remainingMs` left (15 minutes unless given). */
export function lambdaContext(functionName = 'sweep', remainingMs = () => 900_000): Context {
  return {
    awsRequestId: `test-${functionName}`,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:ap-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/11/28/[$LATEST]test',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: remainingMs,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
