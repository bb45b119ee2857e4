/**
 * A newcomer without Java: `npm start` (and the pre-step of `npm test` and `npm run bench`) stops
 * within seconds with exit code 2 and says which runtime to install, instead of waiting for
 * DynamoDB Local to answer.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/** A PATH with node, npx and sh (what `npx tsx` needs) and no `java`. */
const binDir = mkdtempSync(join(tmpdir(), 'path-without-java-'));
symlinkSync(process.execPath, join(binDir, 'node'));
symlinkSync(join(dirname(process.execPath), 'npx'), join(binDir, 'npx'));
symlinkSync('/bin/sh', join(binDir, 'sh'));
afterAll(() => rmSync(binDir, { recursive: true, force: true }));

function runWithoutJava(command: string, args: string[], env: Record<string, string> = {}) {
  const started = Date.now();
  const run = spawnSync(command, args, {
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, PATH: binDir, ...env },
  });
  return { ...run, seconds: (Date.now() - started) / 1000 };
}

describe('without a Java runtime on the PATH', () => {
  it('npm start exits 2 within a few seconds and names the missing Java runtime', () => {
    const run = runWithoutJava(join(binDir, 'npx'), ['tsx', 'scripts/start.ts', '--loans', '10']);
    expect(run.status, run.stderr).toBe(2);
    expect(run.seconds).toBeLessThan(8);
    expect(run.stderr).toContain('npm start: cannot start the emulators.');
    expect(run.stderr).toMatch(/needs a Java runtime 17\+, and no `java` was found on the PATH/);
    expect(run.stderr).toContain('apt-get install -y default-jre-headless');
    expect(run.stdout).toBe('');
  });

  it.each([
    ['pretest', 'npm test'],
    ['prebench', 'npm run bench'],
    ['prestart', 'npm start'],
  ])('the %s step stops %s with exit code 2', (lifecycleEvent, command) => {
    const run = runWithoutJava(process.execPath, ['--import', 'tsx', 'scripts/check-java.ts'], {
      npm_lifecycle_event: lifecycleEvent,
    });
    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr).toContain(`${command}: cannot start the emulators.`);
  });

  it('with Java on the PATH the pre-step lets the command run', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/check-java.ts'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
  });
});
