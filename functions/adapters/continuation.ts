/**
 * Hands the rest of a long sweep to a new invocation of the same function (SPEC §5, bounded
 * time): an asynchronous Invoke, so this invocation can return well before its time limit.
 */
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';

/** Starts the next part of a run with `payload`; resolves once Lambda has queued it. */
export type ContinuationInvoker = (payload: unknown) => Promise<void>;

/**
 * A ContinuationInvoker that invokes `functionArn` asynchronously (InvocationType `Event`).
 * @throws when Lambda does not accept the invocation (status other than 202).
 */
export function createLambdaContinuationInvoker(
  lambda: LambdaClient,
  functionArn: string,
): ContinuationInvoker {
  return async (payload) => {
    const { StatusCode } = await lambda.send(
      new InvokeCommand({
        FunctionName: functionArn,
        InvocationType: 'Event',
        Payload: new TextEncoder().encode(JSON.stringify(payload)),
      }),
    );
    if (StatusCode !== 202) {
      throw new Error(`continuation invoke of ${functionArn} returned status ${StatusCode}`);
    }
  };
}
