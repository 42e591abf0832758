/**
 * Command-line parsing shared by the example commands: `node:util`'s
 * `parseArgs` (strict), with its errors rewritten for people — an unknown
 * option names the closest known one (by edit distance) and `--help`, a
 * missing value names the option — as a `UsageError` (exit code 2).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A bad command line: the message says what was wrong and ends with `(see --help)`. */
export class UsageError extends Error {
  override name = 'UsageError';
}

type Options = NonNullable<ParseArgsConfig['options']>;
/** The parsed values: a string per string option, a boolean per flag, absent when not given. */
export type Values<T extends Options> = { [K in keyof T]?: T[K]['type'] extends 'boolean' ? boolean : string };

/** Edit distance: insertions, deletions, substitutions and swaps of neighbours cost 1 (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i]!;
      row[j] = Math.min(d[i - 1]![j]! + 1, row[j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** The known name closest to `name` (case and `_`/`-` ignored), if it is close enough to be a typo or a prefix. */
export function closest(name: string, known: readonly string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/_/g, '-');
  const n = norm(name);
  const prefixed = known.filter((k) => k.startsWith(n));
  if (n.length >= 2 && prefixed.length === 1) return prefixed[0];
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (const k of known) {
    const d = editDistance(n, norm(k));
    if (d < bestD) [best, bestD] = [k, d];
  }
  return bestD <= Math.max(1, Math.floor(n.length / 3)) ? best : undefined;
}

/**
 * `parseArgs({ args, options, strict: true })` that throws a `UsageError`
 * prefixed with `command:` instead of node's messages.
 */
export function parseCommandLine<T extends Options>(command: string, args: readonly string[], options: T): Values<T> {
  const known = Object.keys(options);
  const usage = (message: string) => new UsageError(`${command}: ${message} (see --help)`);
  for (const arg of args) {
    if (arg === '--') break;
    const m = /^--([^=]+)/.exec(arg);
    if (m && !known.includes(m[1]!)) {
      const near = closest(m[1]!, known);
      throw usage(`unknown option --${m[1]}${near ? `; did you mean --${near}?` : ''}`);
    }
  }
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: false }).values as Values<T>;
  } catch (e) {
    const code = (e as { code?: string }).code;
    const message = (e as Error).message;
    const option = /'(--?[^' ]+)/.exec(message)?.[1];
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) {
      const type = options[option.replace(/^-+/, '')]?.type;
      if (type === 'boolean') throw usage(`${option} takes no value`);
      throw usage(message.includes('ambiguous') ? `${option} needs a value; write ${option}=VALUE for one that starts with -` : `${option} needs a value`);
    }
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') throw usage(`unexpected argument ${/'([^']*)'/.exec(message)?.[1] ?? ''}; options start with --`);
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw usage(`unknown option ${option ?? ''}`);
    throw usage(message);
  }
}

/** Number options of `command`: each throws a `UsageError` naming the option, what it must be and what was given. */
export function numberParsers(command: string) {
  const bad = (message: string) => new UsageError(`${command}: ${message} (see --help)`);
  const number = (name: string, text: string, check: (v: number) => boolean, expected: string): number => {
    const v = text.trim() === '' ? Number.NaN : Number(text);
    if (!Number.isFinite(v) || !check(v)) throw bad(`--${name} must be ${expected}, got ${text}`);
    return v;
  };
  return {
    bad,
    number,
    positiveInteger: (name: string, text: string) => number(name, text, (v) => Number.isInteger(v) && v >= 1, 'a positive integer'),
    nonNegative: (name: string, text: string) => number(name, text, (v) => v >= 0, 'a number ≥ 0'),
    /** `X` or `X,Y,…` (one per epoch), each ≥ 0. */
    rates: (name: string, text: string) => text.split(',').map((r) => number(name, r, (v) => v >= 0, 'a number ≥ 0')),
    momentum: (text: string) => number('momentum', text, (v) => v >= 0 && v < 1, 'a number in [0, 1)'),
  };
}
