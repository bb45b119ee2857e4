/**
 * The command line of the npm commands (`report`, `republish`, `credit-extract`, `bench`, `fuzz`):
 * options parsed strictly with node:util's parseArgs, the usage on `--help`, and a usage error's
 * message followed by the usage on stderr with the command's exit code.
 */
import { parseArgs } from 'node:util';

/** How a command shows its usage. */
export interface CommandUsage {
  /** Printed alone to stdout on `--help`, and to stderr under a usage error's message. */
  readonly text: string;
  /** The exit code of a usage error (default 2). */
  readonly exitCode?: number;
  /** True: the usage follows a usage error's message on the next line, not after a blank line. */
  readonly compact?: boolean;
}

/** parseArgs' option declarations, with the `--help` flag every command has. */
type CommandOptions = NonNullable<Parameters<typeof parseArgs>[0]>['options'] & {
  readonly help: { readonly type: 'boolean'; readonly short?: string };
};

/** The option values parseArgs reads with `options`, strictly and without positionals. */
export type CommandValues<O extends CommandOptions> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: false }>
>['values'];

/** Prints `message` and the usage to stderr and exits with the usage's exit code (default 2). */
export function exitWithUsage(usage: CommandUsage, message: string): never {
  process.stderr.write(`${message}${usage.compact ? '\n' : '\n\n'}${usage.text}\n`);
  process.exit(usage.exitCode ?? 2);
}

/**
 * Parses `args` (default: the process's) against `options`, strictly and without positionals.
 * On `--help` prints the usage to stdout and exits 0; on an unknown or malformed option exits as
 * {@link exitWithUsage} does, with parseArgs' message.
 */
export function parseCommandLine<const O extends CommandOptions>(
  usage: CommandUsage,
  options: O,
  args: readonly string[] = process.argv.slice(2),
): CommandValues<O> {
  let values: CommandValues<O>;
  try {
    ({ values } = parseArgs({ args: [...args], options, strict: true, allowPositionals: false }));
  } catch (error) {
    exitWithUsage(usage, error instanceof Error ? error.message : String(error));
  }
  // parseArgs' value types do not resolve for an unknown O; `help` is a boolean flag of every O.
  if ((values as { readonly help?: boolean }).help) {
    process.stdout.write(`${usage.text}\n`);
    process.exit(0);
  }
  return values;
}
