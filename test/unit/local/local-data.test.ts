/**
 * The local run's kept data (local/local-data.ts): where it lives, the record of the run,
 * one process at a time, and the working copy that replaces the kept database only when kept.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { BusinessDate } from '../../../functions/core/types';
import {
  dynamoDbDir,
  LOCAL_DATA_DIR_ENV,
  LocalDataBusyError,
  localDataDir,
  lockLocalData,
  openWorkingCopy,
  readLocalRun,
  withSweptDates,
  writeLocalRun,
} from '../../../local/local-data';

const folders: string[] = [];
function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'local-data-test-'));
  folders.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const d = (text: string) => text as BusinessDate;

describe('the local data folder', () => {
  it('is .local/ in the repository unless OVERDUE_SWEEP_LOCAL_DIR names another', () => {
    expect(localDataDir({})).toMatch(/[/\\]\.local$/);
    expect(localDataDir({ [LOCAL_DATA_DIR_ENV]: '/tmp/elsewhere' })).toBe('/tmp/elsewhere');
  });

  it('is never the repository’s .local/ while tests run', () => {
    expect(process.env[LOCAL_DATA_DIR_ENV]).toBeDefined();
    expect(localDataDir()).not.toMatch(/[/\\]\.local$/);
  });

  it('is ignored by git', () => {
    const gitignore = readFileSync(new URL('../../../.gitignore', import.meta.url), 'utf8');
    expect(gitignore.split('\n')).toContain('.local/');
  });
});

describe('the record of the run', () => {
  it('reads back what was written', () => {
    const dir = folder();
    expect(readLocalRun(dir)).toBeUndefined();
    const record = { version: 1 as const, loans: 80, seed: 42, sweptDates: [d('2026-11-20')] };
    writeLocalRun(dir, record);
    expect(readLocalRun(dir)).toEqual(record);
    expect(withSweptDates(record, [d('2026-11-21'), d('2026-11-20')])).toEqual([
      '2026-11-20',
      '2026-11-21',
    ]);
  });

  it('treats a record it cannot read as no record (npm start then seeds anew)', () => {
    const dir = folder();
    for (const content of [
      'not json',
      '{"version":2}',
      '{"version":1,"loans":"80","seed":1,"sweptDates":[]}',
      '{"version":1,"loans":80,"seed":1,"sweptDates":["2026-13-01"]}',
    ]) {
      writeFileSync(join(dir, 'run.json'), content);
      expect(readLocalRun(dir), content).toBeUndefined();
    }
  });
});

describe('one process at a time', () => {
  it('refuses the folder while a live process holds it, naming it', () => {
    const dir = folder();
    // The test runner's parent is alive for the whole test.
    writeFileSync(join(dir, 'lock'), JSON.stringify({ pid: process.ppid, command: 'npm start' }));
    expect(() => lockLocalData(dir, 'npm run report')).toThrow(LocalDataBusyError);
    expect(() => lockLocalData(dir, 'npm run report')).toThrow(
      new RegExp(`in use by npm start \\(process ${process.ppid}\\)`),
    );
  });

  it('takes over a lock left by a process that is gone, and frees it on release', () => {
    const dir = folder();
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    writeFileSync(join(dir, 'lock'), JSON.stringify({ pid: gone, command: 'npm start' }));
    const release = lockLocalData(dir, 'npm run report');
    expect(JSON.parse(readFileSync(join(dir, 'lock'), 'utf8'))).toMatchObject({
      pid: process.pid,
      command: 'npm run report',
    });
    release();
    expect(existsSync(join(dir, 'lock'))).toBe(false);
  });
});

describe('the working copy', () => {
  const keptFile = (dir: string) => join(dynamoDbDir(dir), 'shared-local-instance.db');

  it('starts from the kept database and replaces it only when kept', () => {
    const dir = folder();
    mkdirSync(dynamoDbDir(dir), { recursive: true });
    writeFileSync(keptFile(dir), 'day one');

    const discarded = openWorkingCopy(dir);
    expect(readFileSync(join(discarded.dbPath, 'shared-local-instance.db'), 'utf8')).toBe(
      'day one',
    );
    writeFileSync(join(discarded.dbPath, 'shared-local-instance.db'), 'half of day two');
    discarded.discard();
    expect(existsSync(discarded.dbPath)).toBe(false);
    expect(readFileSync(keptFile(dir), 'utf8')).toBe('day one');

    const kept = openWorkingCopy(dir);
    writeFileSync(join(kept.dbPath, 'shared-local-instance.db'), 'day two');
    kept.keep();
    expect(existsSync(kept.dbPath)).toBe(false);
    expect(readFileSync(keptFile(dir), 'utf8')).toBe('day two');
  });

  it('starts empty when asked (--fresh), and a first copy of nothing keeps what it made', () => {
    const dir = folder();
    mkdirSync(dynamoDbDir(dir), { recursive: true });
    writeFileSync(keptFile(dir), 'old book');
    const fresh = openWorkingCopy(dir, { empty: true });
    expect(existsSync(join(fresh.dbPath, 'shared-local-instance.db'))).toBe(false);
    fresh.discard();
    expect(readFileSync(keptFile(dir), 'utf8')).toBe('old book');

    const none = folder();
    const first = openWorkingCopy(join(none, 'new'));
    writeFileSync(join(first.dbPath, 'shared-local-instance.db'), 'first book');
    first.keep();
    expect(readFileSync(keptFile(join(none, 'new')), 'utf8')).toBe('first book');
  });
});
