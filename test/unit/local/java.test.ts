/**
 * The Java check shared by `npm start`, `npm test` and `npm run bench`: version parsing, and what
 * a newcomer is told with no Java, an old one, or one that does not run (fake `java` on the PATH).
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkJava, javaMajorOf, javaProblem, MIN_JAVA_MAJOR } from '../../../local/java';

const binDirs: string[] = [];
afterAll(() => {
  for (const dir of binDirs) rmSync(dir, { recursive: true, force: true });
});

/** A PATH whose only `java` is a shell script printing `stderr` and exiting with `status`. */
function pathWithFakeJava(stderr: string, status = 0): string {
  const dir = mkdtempSync(join(tmpdir(), 'fake-java-'));
  binDirs.push(dir);
  const script = join(dir, 'java');
  // Only shell built-ins: the fake's PATH has nothing else on it.
  writeFileSync(script, `#!/bin/sh\necho '${stderr}' >&2\nexit ${status}\n`);
  chmodSync(script, 0o755);
  return dir;
}

describe('javaMajorOf', () => {
  it.each([
    ['openjdk version "17.0.15" 2025-04-15', 17],
    ['java version "21.0.2" 2024-01-16 LTS', 21],
    ['openjdk version "1.8.0_392"', 8],
    ['openjdk version "11" 2018-09-25', 11],
    ['openjdk 22.0.1 2024-04-16', 22],
  ])('%s → %i', (output, major) => {
    expect(javaMajorOf(output)).toBe(major);
  });

  it('is undefined when the output names no version', () => {
    expect(javaMajorOf('Picked up JAVA_TOOL_OPTIONS: -Xmx1g')).toBeUndefined();
  });
});

describe('checkJava', () => {
  it('finds no java on a PATH without one, and says what to install', () => {
    const status = checkJava({ PATH: mkdtempSync(join(tmpdir(), 'no-java-')) });
    expect(status).toEqual({ kind: 'missing' });
    const problem = javaProblem(status);
    expect(problem).toMatch(/Java runtime 17\+, and no `java` was found on the PATH/);
    expect(problem).toContain('apt-get install -y default-jre-headless');
  });

  it('accepts Java 17 and newer', () => {
    const path = pathWithFakeJava('openjdk version "17.0.15" 2025-04-15');
    expect(checkJava({ PATH: path })).toEqual({ kind: 'ok', major: MIN_JAVA_MAJOR });
    expect(javaProblem(checkJava({ PATH: path }))).toBeUndefined();
  });

  it('rejects an older Java, naming its version', () => {
    const status = checkJava({ PATH: pathWithFakeJava('openjdk version "11.0.22" 2024-01-16') });
    expect(status).toEqual({ kind: 'too-old', major: 11 });
    expect(javaProblem(status)).toMatch(/the `java` on the PATH is Java 11/);
  });

  it('reports a java that fails to run', () => {
    const status = checkJava({ PATH: pathWithFakeJava('Error: could not find libjava.so', 1) });
    expect(status).toEqual({ kind: 'broken', detail: 'Error: could not find libjava.so' });
    expect(javaProblem(status)).toMatch(/`java -version` failed: Error: could not find libjava/);
  });
});
