/**
 * Fault injection on a real DynamoDB client (the only place tests replace what DynamoDB does): a
 * middleware that fails chosen commands before they are sent, so everything else reaches the
 * emulator as it would reach AWS.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * A fresh client on the emulator whose commands named `commandName` (e.g.
 * `TransactWriteItemsCommand`) first ask `fault` (and wait for it): an error it returns is thrown
 * instead of sending.
 */
export function faultyDynamoDb(
  commandName: string,
  fault: (input: unknown) => Error | undefined | Promise<Error | undefined>,
): DynamoDBClient {
  const dynamodb = new DynamoDBClient({});
  dynamodb.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === commandName) {
        const error = await fault(args.input);
        if (error) throw error;
      }
      return next(args);
    },
    { step: 'initialize', name: 'injectFault' },
  );
  return dynamodb;
}
