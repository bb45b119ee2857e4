/**
 * A real SNS client for the emulator that also enforces SNS's message limits as SNS does (the
 * emulator checks only each message body): a PublishBatch call whose messages, bodies and message
 * attributes (name, data type, value) together pass 256 KiB is refused as a whole with
 * BatchRequestTooLong, and an entry that passes it alone is failed as "Message too long". Every
 * call is recorded with its event ids and size, so tests can count attempts per event. A test may
 * also fail chosen events for a passing reason (`InternalError`, as SNS under partial failure).
 */
import {
  BatchRequestTooLongException,
  type PublishBatchCommand,
  type PublishBatchCommandOutput,
  type PublishBatchRequestEntry,
  SNSClient,
} from '@aws-sdk/client-sns';

/** SNS's limit per message and per PublishBatch call, bytes (a topic's default). */
export const SNS_LIMIT_BYTES = 262_144;

/** One PublishBatch call as SNS received it. */
export interface RecordedCall {
  readonly ids: readonly string[];
  /** All its messages together, as SNS counts them. */
  readonly bytes: number;
  readonly refused: boolean;
}

/** The size SNS counts for one entry: body and attributes, UTF-8 bytes. */
export function snsBytes(entry: PublishBatchRequestEntry): number {
  let bytes = Buffer.byteLength(entry.Message ?? '', 'utf8');
  for (const [name, value] of Object.entries(entry.MessageAttributes ?? {})) {
    bytes += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(value.DataType ?? '', 'utf8');
    bytes += Buffer.byteLength(value.StringValue ?? '', 'utf8');
  }
  return bytes;
}

function eventIdOf(entry: PublishBatchRequestEntry): string {
  try {
    return String((JSON.parse(entry.Message ?? '{}') as { id?: unknown }).id);
  } catch {
    return '(not JSON)';
  }
}

/** An SNS client with SNS's limits, and the calls it received. */
export function snsWithLimits(faults: { failing?: (eventId: string) => boolean } = {}): {
  readonly sns: SNSClient;
  readonly calls: RecordedCall[];
} {
  const calls: RecordedCall[] = [];
  const sns = new SNSClient({ maxAttempts: 1 });
  sns.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'PublishBatchCommand') return next(args);
      const input = args.input as PublishBatchCommand['input'];
      const entries = input.PublishBatchRequestEntries ?? [];
      const sizes = entries.map(snsBytes);
      const bytes = sizes.reduce((sum, size) => sum + size, 0);
      const refused = entries.length > 1 && bytes > SNS_LIMIT_BYTES;
      calls.push({ ids: entries.map(eventIdOf), bytes, refused });
      if (refused) {
        throw new BatchRequestTooLongException({
          message: 'The length of all the messages put together is more than the limit.',
          $metadata: { httpStatusCode: 400 },
        });
      }
      const tooLong = entries.filter((_, i) => (sizes[i] ?? 0) > SNS_LIMIT_BYTES);
      const passing = entries.filter((entry) => faults.failing?.(eventIdOf(entry)) === true);
      const sending = entries.filter(
        (entry) => !tooLong.includes(entry) && !passing.includes(entry),
      );
      const failed = [
        ...tooLong.map((entry) => ({
          Id: entry.Id,
          Code: 'InvalidParameter',
          Message: 'Invalid parameter: Message too long',
          SenderFault: true,
        })),
        ...passing.map((entry) => ({
          Id: entry.Id,
          Code: 'InternalError',
          Message: 'injected failure',
          SenderFault: false,
        })),
      ];
      if (sending.length === 0) {
        return { output: { Successful: [], Failed: failed, $metadata: {} }, response: {} };
      }
      const result = await next({
        ...args,
        input: { ...input, PublishBatchRequestEntries: sending },
      });
      const output = result.output as PublishBatchCommandOutput;
      return { ...result, output: { ...output, Failed: [...(output.Failed ?? []), ...failed] } };
    },
    { step: 'initialize', name: 'snsMessageLimits' },
  );
  return { sns, calls };
}
