/**
 * DynamoDB Local is a Java program: `npm start`, `npm test` and `npm run bench` check for a Java
 * runtime 17+ on the PATH before starting anything, so a newcomer without one learns what to
 * install at once instead of waiting for an emulator that never answers.
 */
import { spawnSync } from 'node:child_process';
import { writeSync } from 'node:fs';

/** Oldest Java major version DynamoDB Local runs on. */
export const MIN_JAVA_MAJOR = 17;

/** Exit code of a command that cannot run because something is missing (like a usage error). */
export const MISSING_PREREQUISITE_EXIT_CODE = 2;

/** What `java -version` told us. */
export type JavaStatus =
  | { readonly kind: 'ok'; readonly major?: number }
  | { readonly kind: 'missing' }
  | { readonly kind: 'too-old'; readonly major: number }
  | { readonly kind: 'broken'; readonly detail: string };

/**
 * The major version in `java -version` / `java --version` output: `version "17.0.15"` → 17,
 * `version "1.8.0_392"` → 8, `openjdk 21.0.2 2024-01-16` → 21; undefined when there is none.
 */
export function javaMajorOf(output: string): number | undefined {
  const quoted = /version "(\d+)(?:\.(\d+))?[^"]*"/.exec(output);
  if (quoted) {
    const first = Number(quoted[1]);
    // Java 8 and older report themselves as 1.x.
    return first === 1 && quoted[2] !== undefined ? Number(quoted[2]) : first;
  }
  const bare = /^(?:openjdk|java) (\d+)/m.exec(output);
  return bare ? Number(bare[1]) : undefined;
}

/** Runs `java -version` with `env`'s PATH (a JVM starts in well under a second; 10 s is plenty). */
export function checkJava(env: NodeJS.ProcessEnv = process.env): JavaStatus {
  const run = spawnSync('java', ['-version'], { env, encoding: 'utf8', timeout: 10_000 });
  if (run.error) {
    const code = (run.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'missing' };
    return { kind: 'broken', detail: run.error.message };
  }
  const output = `${run.stderr ?? ''}${run.stdout ?? ''}`;
  if (run.status !== 0) {
    return { kind: 'broken', detail: output.trim().split('\n')[0] ?? `exit ${run.status}` };
  }
  const major = javaMajorOf(output);
  // A version we cannot read is given the benefit of the doubt: DynamoDB Local will tell.
  if (major === undefined) return { kind: 'ok' };
  return major < MIN_JAVA_MAJOR ? { kind: 'too-old', major } : { kind: 'ok', major };
}

const HOW_TO_INSTALL = `Install a Java runtime ${MIN_JAVA_MAJOR} or newer and put its bin directory on the PATH, e.g.
  Debian/Ubuntu:  sudo apt-get install -y default-jre-headless
  macOS:          brew install openjdk@${MIN_JAVA_MAJOR}
  or any JDK ${MIN_JAVA_MAJOR}+ (Temurin, Corretto, …) from your vendor.`;

/** What is wrong and how to fix it, or undefined when Java is usable. */
export function javaProblem(status: JavaStatus): string | undefined {
  const needs = `DynamoDB Local (the local DynamoDB) needs a Java runtime ${MIN_JAVA_MAJOR}+`;
  switch (status.kind) {
    case 'ok':
      return undefined;
    case 'missing':
      return `${needs}, and no \`java\` was found on the PATH.\n${HOW_TO_INSTALL}`;
    case 'too-old':
      return `${needs}; the \`java\` on the PATH is Java ${status.major}.\n${HOW_TO_INSTALL}`;
    case 'broken':
      return `${needs}; \`java -version\` failed: ${status.detail}\n${HOW_TO_INSTALL}`;
  }
}

/**
 * Exits the process with code 2 and the problem on stderr when no usable Java runtime is on the
 * PATH; returns otherwise. `command` names what cannot run, e.g. `npm start`.
 */
export function exitUnlessJava(command: string, env: NodeJS.ProcessEnv = process.env): void {
  const problem = javaProblem(checkJava(env));
  if (problem === undefined) return;
  // Written synchronously: the process exits on the next line.
  writeSync(2, `${command}: cannot start the emulators.\n${problem}\n`);
  process.exit(MISSING_PREREQUISITE_EXIT_CODE);
}
