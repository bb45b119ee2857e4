/**
 * The one way this product builds DynamoDB document clients. Loan items carry rates that must stay
 * exact (`0.0003` is not a binary fraction), so readers of loans unmarshal numbers as NumberValue
 * text (`exactNumbers`); every client drops undefined values on writes.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { MAX_ID_BYTES } from '../contract/tables';
import { utf8ByteLength } from '../core/values';

/**
 * A document client on `dynamodb`. lib-dynamodb keeps the translation settings on the client it
 * returns, so two readers with different settings may share one DynamoDBClient.
 * @param exactNumbers unmarshal numbers as NumberValue (exact decimal text) instead of JS numbers.
 */
export function documentClient(
  dynamodb: DynamoDBClient,
  { exactNumbers }: { readonly exactNumbers: boolean },
): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(dynamodb, {
    marshallOptions: { removeUndefinedValues: true },
    unmarshallOptions: { wrapNumbers: exactNumbers },
  });
}

/** True when `value` can be a partition key at all (non-empty, within the byte limit). */
export function fitsPartitionKey(value: string): boolean {
  return value.length > 0 && utf8ByteLength(value) <= MAX_ID_BYTES;
}

/**
 * A stored number as a JS number, whichever way the client unmarshalled it: a plain number, or the
 * SDK's NumberValue (exact text); undefined for anything else. For counts and minor units, which
 * are safe integers.
 */
export function storedNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'object' && value !== null && 'value' in value) {
    return typeof value.value === 'string' ? Number(value.value) : undefined;
  }
  return undefined;
}
