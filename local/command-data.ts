/**
 * Where `npm run report`, `npm run republish` and `npm run credit-extract` read from. With a table named (option or the
 * functions' environment variable) or a DynamoDB endpoint set, from what the AWS SDK's own
 * variables name — the deployed stack, or a DynamoDB Local of the user's. With nothing set, from
 * the data `npm start` kept: DynamoDB Local is started on it for the command and stopped after.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  LOCAL_REGION,
  localAwsEnv,
  type RunningEmulator,
  startDynamoDbLocal,
  startSnsSqsEmulator,
} from './emulators';
import { exitUnlessJava } from './java';
import {
  displayPath,
  LocalDataBusyError,
  type LocalRunRecord,
  localDataDir,
  lockLocalData,
  openWorkingCopy,
  readLocalRun,
} from './local-data';

/** The SDK's variables that point DynamoDB elsewhere than AWS. */
const ENDPOINT_VARIABLES = ['AWS_ENDPOINT_URL_DYNAMODB', 'AWS_ENDPOINT_URL'] as const;

/** A command cannot find its data or its region; the message says what to set. */
export class DataSourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataSourceError';
  }
}

/** True when the user named the data: a table, or a DynamoDB endpoint. */
export function dataIsConfigured(
  tableGiven: boolean,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  return tableGiven || ENDPOINT_VARIABLES.some((name) => env[name]?.trim());
}

const isLoopback = (url: string) => {
  try {
    return ['localhost', '127.0.0.1', '[::1]'].includes(new URL(url).hostname);
  } catch {
    return false;
  }
};

/**
 * Makes sure the AWS SDK will find a region (and, for a DynamoDB on this machine, credentials):
 * a DynamoDB endpoint on loopback gets the local region and dummy credentials when none are
 * set; for AWS itself the SDK's own variables decide, and their absence is said plainly instead
 * of the SDK's "Region is missing".
 * @throws DataSourceError when no region is configured for AWS.
 */
export async function ensureRegion(
  command: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const endpoint = ENDPOINT_VARIABLES.map((name) => env[name]?.trim()).find(Boolean);
  if (endpoint && isLoopback(endpoint)) {
    if (!env.AWS_REGION && !env.AWS_DEFAULT_REGION) env.AWS_REGION = LOCAL_REGION;
    if (!env.AWS_ACCESS_KEY_ID && !env.AWS_PROFILE) {
      env.AWS_ACCESS_KEY_ID = 'local';
      env.AWS_SECRET_ACCESS_KEY = 'local';
    }
    return;
  }
  try {
    await new DynamoDBClient({}).config.region();
  } catch {
    throw new DataSourceError(
      `${command}: no AWS region. Set AWS_REGION (or AWS_PROFILE with a region) to the region the stack is deployed in.`,
    );
  }
}

/** The local run's data, opened for one command. */
export interface OpenedLocalData {
  readonly dir: string;
  readonly record: LocalRunRecord;
  /** The SNS/SQS emulator, when asked for (republishing needs a topic to publish to). */
  readonly snsSqs?: RunningEmulator;
  /**
   * Stops what was started and frees the folder; with `keep`, what the command wrote replaces the
   * kept data (otherwise it stays as it was).
   */
  stop(options?: { keep?: boolean }): Promise<void>;
}

/**
 * Starts DynamoDB Local on the data `npm start` kept (and the SNS/SQS emulator if asked) and
 * points the AWS SDK at them (region and credentials included).
 * @throws DataSourceError when there is no kept data (the message says how to name a table
 *   instead); LocalDataBusyError when another command holds it.
 */
export async function openLocalData(
  command: string,
  options: { readonly snsSqs?: boolean; readonly missing: string },
): Promise<OpenedLocalData> {
  const dir = localDataDir();
  const record = readLocalRun(dir);
  if (!record) {
    throw new DataSourceError(
      `${options.missing}; and there is no local run's data in ${displayPath(dir)} to read (npm start keeps it there).`,
    );
  }
  exitUnlessJava(command);
  const release = lockLocalData(dir, command);
  const workingCopy = openWorkingCopy(dir);
  const started: RunningEmulator[] = [];
  let done = false;
  const stop = async ({ keep = false } = {}) => {
    if (done) return;
    done = true;
    const stopped = await Promise.allSettled(started.map((emulator) => emulator.stop()));
    if (keep && stopped.every((result) => result.status === 'fulfilled')) workingCopy.keep();
    else workingCopy.discard();
    release();
  };
  try {
    const dynamodb = await startDynamoDbLocal({ dbPath: workingCopy.dbPath });
    started.push(dynamodb);
    const snsSqs = options.snsSqs ? await startSnsSqsEmulator() : undefined;
    if (snsSqs) started.push(snsSqs);
    Object.assign(
      process.env,
      localAwsEnv({ dynamodb: dynamodb.endpoint, ...(snsSqs && { snsSqs: snsSqs.endpoint }) }),
    );
    return { dir, record, ...(snsSqs && { snsSqs }), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Opens the data a command reads: with the data named ({@link dataIsConfigured}), makes sure of the
 * region and returns undefined (the SDK's variables lead to it); otherwise the local run's kept
 * data, opened as {@link openLocalData} does.
 * @throws DataSourceError when there is no region or no kept data, or another command holds it
 *   (the message says what to do).
 */
export async function openDataSource(
  command: string,
  options: { readonly tableGiven: boolean; readonly snsSqs?: boolean; readonly missing: string },
): Promise<OpenedLocalData | undefined> {
  try {
    if (dataIsConfigured(options.tableGiven)) {
      await ensureRegion(command);
      return undefined;
    }
    return await openLocalData(command, options);
  } catch (error) {
    if (error instanceof LocalDataBusyError) throw new DataSourceError(error.message);
    throw error;
  }
}
