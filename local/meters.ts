/**
 * Measuring wrappers for AWS SDK clients, used by the benchmark: they observe real calls to the
 * emulators without changing what the code under measurement does.
 */
import type { ConsumedCapacity, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SNSClient } from '@aws-sdk/client-sns';

/** Capacity units DynamoDB reported for the calls made through one client. */
export interface CapacityMeter {
  readUnits: number;
  writeUnits: number;
  calls: Record<string, number>;
}

const READ_COMMANDS = new Set([
  'GetItemCommand',
  'BatchGetItemCommand',
  'QueryCommand',
  'ScanCommand',
  'TransactGetItemsCommand',
  // lib-dynamodb names its commands after the document operations.
  'GetCommand',
  'BatchGetCommand',
  'TransactGetCommand',
]);

function addCapacity(
  meter: CapacityMeter,
  command: string,
  capacity: ConsumedCapacity | undefined,
) {
  if (!capacity) return;
  // DynamoDB reports only CapacityUnits for most calls; the command tells reads from writes.
  const units = capacity.CapacityUnits ?? 0;
  if (READ_COMMANDS.has(command)) meter.readUnits += units;
  else meter.writeUnits += units;
}

/**
 * Asks DynamoDB for `ReturnConsumedCapacity: TOTAL` on every call made through `client` and sums
 * what it reports, per read and write, plus a count of calls by command.
 */
export function meterDynamoDb(client: DynamoDBClient): CapacityMeter {
  const meter: CapacityMeter = { readUnits: 0, writeUnits: 0, calls: {} };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? 'unknown';
      meter.calls[command] = (meter.calls[command] ?? 0) + 1;
      const input = args.input as { ReturnConsumedCapacity?: string };
      input.ReturnConsumedCapacity = 'TOTAL';
      const result = await next(args);
      const output = result.output as {
        ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[];
      };
      const consumed = output.ConsumedCapacity;
      for (const capacity of Array.isArray(consumed) ? consumed : [consumed]) {
        addCapacity(meter, command, capacity);
      }
      return result;
    },
    { step: 'initialize', name: 'benchCapacityMeter' },
  );
  return meter;
}

/** Counts the calls made through an SNS client, by command. */
export function meterSns(client: SNSClient): Record<string, number> {
  const calls: Record<string, number> = {};
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? 'unknown';
      calls[command] = (calls[command] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name: 'benchCallMeter' },
  );
  return calls;
}

/**
 * Samples the process's resident and heap memory every `intervalMs` and keeps the peaks. When the
 * process runs with `--expose-gc` it also forces a collection once a second and records the live
 * heap after it: that figure shows what the code retains, not how lazily V8 collects garbage.
 */
export function memoryPeaks(intervalMs = 50) {
  const peaks = { rssBytes: 0, heapUsedBytes: 0, liveHeapBytes: undefined as number | undefined };
  const collect = (globalThis as { gc?: () => void }).gc;
  let lastCollection = 0;
  const sample = () => {
    const usage = process.memoryUsage();
    peaks.rssBytes = Math.max(peaks.rssBytes, usage.rss);
    peaks.heapUsedBytes = Math.max(peaks.heapUsedBytes, usage.heapUsed);
    if (collect && Date.now() - lastCollection >= 1000) {
      lastCollection = Date.now();
      collect();
      peaks.liveHeapBytes = Math.max(peaks.liveHeapBytes ?? 0, process.memoryUsage().heapUsed);
    }
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  return {
    peaks,
    stop: () => {
      clearInterval(timer);
      sample();
      return peaks;
    },
  };
}
