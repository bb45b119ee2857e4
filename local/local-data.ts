/**
 * The local run's data, kept between commands: `npm start` sweeps a demo book on DynamoDB Local
 * persisted under `.local/` (ignored by git), and `npm run report` / `npm run republish` read it
 * afterwards with nothing else set. `npm start -- --fresh` starts over.
 *
 *   .local/dynamodb/   DynamoDB Local's database (one file, `-sharedDb`)
 *   .local/run.json    what the run holds: the demo book's size and seed, the dates swept, how far
 *                      the stream publisher has read (so a later run publishes nothing twice)
 *   .local/lock        the process using the folder (DynamoDB Local serves one process at a time)
 *
 * DynamoDB Local does not run on the kept database itself but on a working copy in memory-backed
 * storage (`/dev/shm` where there is one): on disk it syncs every item it writes, which made the
 * demo's seeding six times slower. A command that changes the data copies it back when it has
 * finished, together with the record; one that stops half-way leaves the kept data as it was.
 */
import {
  closeSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBusinessDate } from '../functions/core/dates';
import type { BusinessDate } from '../functions/core/types';
import { type TableNames, tableNamesOf } from './local-resources';
import type { StreamPosition } from './stream-pump';

/** Environment variable naming another folder for the local data (the tests use temporary ones). */
export const LOCAL_DATA_DIR_ENV = 'OVERDUE_SWEEP_LOCAL_DIR';

/** The repository's root. */
const PROJECT_ROOT = fileURLToPath(new URL('../', import.meta.url));

/** Table names of the local run: `local-loans`, `local-ledger`, … */
export const LOCAL_TABLE_PREFIX = 'local';

/** The local run's table names. */
export const localTableNames = (): TableNames => tableNamesOf(LOCAL_TABLE_PREFIX);

/** What `.local/run.json` records. */
export interface LocalRunRecord {
  readonly version: 1;
  /** Loans of the demo book as seeded. */
  readonly loans: number;
  /** Seed of the demo book and of the payments. */
  readonly seed: number;
  /** Business dates swept so far, sorted, each once. */
  readonly sweptDates: readonly BusinessDate[];
  /** How far the stream publisher has read the loans table's stream. */
  readonly stream?: StreamPosition;
}

/** The local data folder: `$OVERDUE_SWEEP_LOCAL_DIR`, or `.local/` in the repository. */
export function localDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const override = env[LOCAL_DATA_DIR_ENV]?.trim();
  return override ? resolve(override) : join(PROJECT_ROOT, '.local');
}

/** The folder as a user reads it: relative to the working directory when inside it. */
export function displayPath(dir: string): string {
  const path = relative(process.cwd(), dir);
  return path === '' ? '.' : path.startsWith('..') || isAbsolute(path) ? dir : `${path}/`;
}

/** DynamoDB Local's folder inside the local data. */
export const dynamoDbDir = (dir: string): string => join(dir, 'dynamodb');

const recordPath = (dir: string) => join(dir, 'run.json');
const lockPath = (dir: string) => join(dir, 'lock');

function isDates(value: unknown): value is BusinessDate[] {
  return Array.isArray(value) && value.every((date) => parseBusinessDate(date) === date);
}

/**
 * The record of the run kept in `dir`, or undefined when there is none (nothing run yet, or a
 * record this version cannot read: the data is then treated as absent, and `npm start` seeds anew).
 */
export function readLocalRun(dir: string): LocalRunRecord | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(recordPath(dir), 'utf8'));
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const record = raw as Record<string, unknown>;
  if (
    record.version !== 1 ||
    !Number.isSafeInteger(record.loans) ||
    !Number.isSafeInteger(record.seed) ||
    !isDates(record.sweptDates)
  ) {
    return undefined;
  }
  return raw as LocalRunRecord;
}

/** Writes the record of the run (replacing the last one). */
export function writeLocalRun(dir: string, record: LocalRunRecord): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(recordPath(dir), `${JSON.stringify(record, null, 2)}\n`);
}

/** The dates of `record` and `dates` together, sorted, each once. */
export function withSweptDates(
  record: LocalRunRecord,
  dates: readonly BusinessDate[],
): readonly BusinessDate[] {
  return [...new Set([...record.sweptDates, ...dates])].sort();
}

/** Another live process holds the folder. */
export class LocalDataBusyError extends Error {
  constructor(dir: string, pid: number, holder: string) {
    super(
      `the local data in ${displayPath(dir)} is in use by ${holder} (process ${pid}); ` +
        'wait for it to finish, or stop it',
    );
    this.name = 'LocalDataBusyError';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but is not ours to signal.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the folder for `command` until the returned release is called (or this process exits):
 * DynamoDB Local must not open one database from two processes. A lock left by a process that is
 * gone is taken over.
 * @throws LocalDataBusyError when a live process holds it.
 */
export function lockLocalData(dir: string, command: string): () => void {
  mkdirSync(dir, { recursive: true });
  const path = lockPath(dir);
  const content = JSON.stringify({ pid: process.pid, command });
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeFileSync(fd, content);
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
      let holder: { pid?: unknown; command?: unknown } = {};
      try {
        holder = JSON.parse(readFileSync(path, 'utf8')) as typeof holder;
      } catch {
        // Unreadable: written by no live process of ours.
      }
      const pid = Number(holder.pid);
      if (Number.isSafeInteger(pid) && pid !== process.pid && isAlive(pid)) {
        throw new LocalDataBusyError(dir, pid, String(holder.command ?? 'another command'));
      }
      rmSync(path, { force: true });
    }
  }
  const release = () => {
    process.removeListener('exit', release);
    try {
      if (existsSync(path) && readFileSync(path, 'utf8') === content) rmSync(path);
    } catch {
      // Already gone.
    }
  };
  process.once('exit', release);
  return release;
}

/** Prefix of working copies: the pid of the process that made one follows it. */
const WORKING_COPY_PREFIX = 'overdue-sweep-db-';

/** Memory-backed storage for working copies where the system has it, else the temporary folder. */
function workingCopyBase(): string {
  const shm = '/dev/shm';
  try {
    const probe = mkdtempSync(join(shm, WORKING_COPY_PREFIX));
    rmSync(probe, { recursive: true, force: true });
    return shm;
  } catch {
    return tmpdir();
  }
}

/** Removes the working copies of processes that are gone (killed before they could clean up). */
function removeAbandonedCopies(base: string): void {
  for (const name of readdirSync(base)) {
    const pid = Number(/^overdue-sweep-db-(\d+)-/.exec(name)?.[1]);
    if (Number.isSafeInteger(pid) && pid !== process.pid && !isAlive(pid)) {
      rmSync(join(base, name), { recursive: true, force: true });
    }
  }
}

/** A working copy of the kept database, for DynamoDB Local's `-dbPath`. */
export interface WorkingCopy {
  /** The folder DynamoDB Local runs on. */
  readonly dbPath: string;
  /** Copies the working database back over the kept one (DynamoDB Local stopped), then removes it. */
  keep(): void;
  /** Removes the working copy; the kept data stays as it was. */
  discard(): void;
}

/**
 * Copies the kept database (if any, and unless `empty`) to memory-backed storage for DynamoDB
 * Local to run on. The copy is removed when this process exits, whatever happens.
 */
export function openWorkingCopy(dir: string, options: { empty?: boolean } = {}): WorkingCopy {
  const base = workingCopyBase();
  removeAbandonedCopies(base);
  const work = mkdtempSync(join(base, `${WORKING_COPY_PREFIX}${process.pid}-`));
  const dbPath = join(work, 'dynamodb');
  const kept = dynamoDbDir(dir);
  if (existsSync(kept) && !options.empty) cpSync(kept, dbPath, { recursive: true });
  else mkdirSync(dbPath);
  const discard = () => {
    process.removeListener('exit', discard);
    rmSync(work, { recursive: true, force: true });
  };
  process.once('exit', discard);
  return {
    dbPath,
    discard,
    keep: () => {
      // Beside the kept copy first, then swapped in: a crash half-way never leaves half a database.
      const incoming = `${kept}.incoming`;
      const outgoing = `${kept}.outgoing`;
      rmSync(incoming, { recursive: true, force: true });
      rmSync(outgoing, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      cpSync(dbPath, incoming, { recursive: true });
      if (existsSync(kept)) renameSync(kept, outgoing);
      renameSync(incoming, kept);
      rmSync(outgoing, { recursive: true, force: true });
      discard();
    },
  };
}
