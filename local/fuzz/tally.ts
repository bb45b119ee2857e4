/**
 * What a fuzz run counts and what it found: figures by name (inputs tried, rejected, crashes,
 * half-writes, …) and each violated property with the input that violated it, shown bounded.
 */

/** One broken promise: which property, what kind of breach, and the input (bounded). */
export interface Violation {
  readonly property: string;
  readonly kind: string;
  readonly detail: string;
  readonly input: string;
}

/** Longest input a violation shows, in characters. */
const SHOWN_INPUT_CHARS = 400;

/** A value as a violation shows it: JSON, cut to a few hundred characters. */
export function shownInput(value: unknown): string {
  let text: string;
  try {
    text =
      JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ??
      String(value);
  } catch {
    text = String(value);
  }
  return text.length <= SHOWN_INPUT_CHARS
    ? text
    : `${text.slice(0, SHOWN_INPUT_CHARS)}… (${text.length} characters)`;
}

/**
 * A value with its map keys sorted at every level, as JSON; sets, binary and big integers (which
 * the document client reads for numbers beyond 2^53) spelled out.
 */
export function canonicalJson(value: unknown): string {
  const canonical = (v: unknown): unknown => {
    if (typeof v === 'bigint') return { $bigint: String(v) };
    if (Array.isArray(v)) return v.map(canonical);
    if (v instanceof Set) return { $set: [...v].map(String).sort() };
    if (v instanceof Uint8Array) return { $binary: [...v] };
    if (typeof v === 'object' && v !== null) {
      const map = v as Record<string, unknown>;
      return Object.fromEntries(
        Object.keys(map)
          .sort()
          .map((key) => [key, canonical(map[key])]),
      );
    }
    return v;
  };
  return JSON.stringify(canonical(value));
}

/** Figures and violations of one property (or a whole fuzz run). */
export class Tally {
  readonly figures = new Map<string, number>();
  readonly violations: Violation[] = [];

  constructor(readonly property: string) {}

  /** Adds `n` to figure `name`. */
  count(name: string, n = 1): void {
    this.figures.set(name, (this.figures.get(name) ?? 0) + n);
  }

  /** Records the largest value seen for figure `name`. */
  max(name: string, value: number): void {
    this.figures.set(name, Math.max(this.figures.get(name) ?? 0, value));
  }

  figure(name: string): number {
    return this.figures.get(name) ?? 0;
  }

  /** Starts a check of one input: its breaches are collected, counted and returned by `done`. */
  begin(input: unknown) {
    const found: Violation[] = [];
    return {
      violate: (kind: string, detail: string) => {
        found.push({ property: this.property, kind, detail, input: shownInput(input) });
      },
      done: (): Violation[] => {
        this.violations.push(...found);
        return found;
      },
    };
  }
}

/** A check of one input, as `Tally.begin` returns it. */
export type Check = ReturnType<Tally['begin']>;

/** Throws the violations as one error (so fast-check shrinks the input); returns when none. */
export function assertNone(violations: readonly Violation[]): void {
  if (violations.length === 0) return;
  throw new Error(
    violations.map((v) => `${v.property} · ${v.kind}: ${v.detail}\n  input: ${v.input}`).join('\n'),
  );
}

/** Counts unhandled promise rejections while a property runs. */
export function watchUnhandledRejections() {
  const seen: unknown[] = [];
  const listener = (reason: unknown) => seen.push(reason);
  process.on('unhandledRejection', listener);
  return {
    get count() {
      return seen.length;
    },
    stop: () => process.off('unhandledRejection', listener),
  };
}

/** `promise`, or a rejection after `ms` milliseconds (a hung input is a crash too). */
export async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
