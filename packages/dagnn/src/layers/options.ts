/**
 * Option parsing for layer constructors. Options come from user code or
 * from a model file's JSON, so every value is checked here: unknown names,
 * wrong types and out-of-range numbers throw an `OptionError` naming the
 * layer class and the option (MatConvNet's "No property `x` for a layer of
 * type `y`", api §3.2, as a typed error).
 */
import { OptionError } from '@convnet-ts/tensor';

export type Pair = [number, number];
export type Pad4 = [number, number, number, number];

function show(v: unknown): string {
  return typeof v === 'string' ? `'${v}'` : JSON.stringify(v) ?? String(v);
}

/** Rejects unknown option names and non-object options. */
export function readOptions(type: string, opts: unknown, known: readonly string[]): Record<string, unknown> {
  if (opts === undefined) return {};
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) {
    throw new OptionError(type, 'options', `options must be an object, got ${show(opts)}`);
  }
  for (const name of Object.keys(opts)) {
    if (!known.includes(name)) {
      const list = known.length === 0 ? `${type} takes no options` : `known options are ${known.join(', ')}`;
      throw new OptionError(type, name, `unknown option '${name}'; ${list}`);
    }
  }
  return opts as Record<string, unknown>;
}

function numbers(type: string, name: string, v: unknown, what: string): number[] {
  const arr = typeof v === 'number' ? [v] : Array.isArray(v) ? v : null;
  if (!arr?.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw new OptionError(type, name, `${name} must be ${what}, got ${show(v)}`);
  }
  return arr as number[];
}

/** A number or `[vertical, horizontal]`, integers ≥ min. */
export function toPair(type: string, name: string, v: unknown, fallback: number, min = 1): Pair {
  const a = numbers(type, name, v ?? fallback, `one integer ≥ ${min} or [vertical, horizontal]`);
  if ((a.length !== 1 && a.length !== 2) || !a.every((x) => Number.isInteger(x) && x >= min)) {
    throw new OptionError(type, name, `${name} must be one integer ≥ ${min} or [vertical, horizontal], got ${show(v)}`);
  }
  return [a[0]!, a[a.length - 1]!];
}

/** A number, `[vertical, horizontal]` (DagNN: [a b] → [a a b b]) or `[top, bottom, left, right]`; integers ≥ 0. */
export function toPad4(type: string, name: string, v: unknown): Pad4 {
  const a = numbers(type, name, v ?? 0, 'one integer ≥ 0, [vertical, horizontal] or [top, bottom, left, right]');
  const ok = [1, 2, 4].includes(a.length) && a.every((x) => Number.isInteger(x) && x >= 0);
  if (!ok) {
    throw new OptionError(type, name, `${name} must be one integer ≥ 0, [vertical, horizontal] or [top, bottom, left, right], got ${show(v)}`);
  }
  if (a.length === 1) return [a[0]!, a[0]!, a[0]!, a[0]!];
  if (a.length === 2) return [a[0]!, a[0]!, a[1]!, a[1]!];
  return [a[0]!, a[1]!, a[2]!, a[3]!];
}

/** A list of exactly `length` finite numbers (a block's `param`). */
export function toNumbers(type: string, name: string, v: unknown, fallback: readonly number[]): number[] {
  const a = numbers(type, name, v ?? fallback, `${fallback.length} numbers`);
  if (a.length !== fallback.length) throw new OptionError(type, name, `${name} must be ${fallback.length} numbers, got ${show(v)}`);
  return [...a];
}

/** A positive-integer shape (`size` of Conv: `[Hf, Wf, C, K]`). */
export function toShape(type: string, name: string, v: unknown, rank: number, layout: string): number[] {
  const a = numbers(type, name, v, `${rank} positive integers ${layout}`);
  if (a.length !== rank || !a.every((x) => Number.isInteger(x) && x >= 1)) {
    throw new OptionError(type, name, `${name} must be ${rank} positive integers ${layout}, got ${show(v)}`);
  }
  return [...a];
}

/** A finite number in [min, max]. */
export function toNum(type: string, name: string, v: unknown, fallback: number, min = -Infinity, max = Infinity): number {
  const x = v ?? fallback;
  if (typeof x !== 'number' || !Number.isFinite(x) || x < min || x > max) {
    const range = min === -Infinity ? 'a finite number' : max === Infinity ? `a number ≥ ${min}` : `a number in [${min}, ${max}]`;
    throw new OptionError(type, name, `${name} must be ${range}, got ${show(x)}`);
  }
  return x;
}

/** A boolean. */
export function toBool(type: string, name: string, v: unknown, fallback: boolean): boolean {
  const x = v ?? fallback;
  if (typeof x !== 'boolean') throw new OptionError(type, name, `${name} must be true or false, got ${show(x)}`);
  return x;
}

/** One of `choices`. */
export function toChoice<T extends string>(type: string, name: string, v: unknown, choices: readonly T[]): T {
  const x = v ?? choices[0];
  if (typeof x !== 'string' || !choices.includes(x as T)) {
    throw new OptionError(type, name, `${name} must be ${choices.map((c) => `'${c}'`).join(' | ')}, got ${show(x)}`);
  }
  return x as T;
}
