import { OptionError, type Pad4, type Pair } from '@convnet-ts/tensor';

/**
 * Rejects option names the block does not know (MatConvNet's vl_argparse
 * errors on unknown names too) and returns the options object typed.
 */
export function checkOptionNames(block: string, opts: object | undefined, known: readonly string[]): void {
  if (opts === undefined) return;
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) {
    throw new OptionError(block, 'opts', `expected an options object, got ${describe(opts)}`);
  }
  for (const name of Object.keys(opts)) {
    if (!known.includes(name)) {
      throw new OptionError(
        block,
        name,
        known.length === 0
          ? `unknown option '${name}'; ${block} takes no options`
          : `unknown option '${name}'; known options are ${known.join(', ')}`,
      );
    }
  }
}

/** `v` or `[v, v]` → `[vertical, horizontal]`; each an integer ≥ `min`. */
export function toPair(block: string, name: string, value: number | readonly number[] | undefined, fallback: number, min: number): Pair {
  const v = value ?? fallback;
  const pair: number[] = typeof v === 'number' ? [v, v] : Array.isArray(v) ? [...v] : [];
  if (pair.length !== 2) {
    throw new OptionError(block, name, `${name} must be one number or [vertical, horizontal], got ${describe(v)}`);
  }
  for (const p of pair) checkInteger(block, name, p, min, v);
  return [pair[0]!, pair[1]!];
}

/** `v` or `[top, bottom, left, right]`; each an integer ≥ 0. */
export function toPad4(block: string, name: string, value: number | readonly number[] | undefined): Pad4 {
  const v = value ?? 0;
  const pad: number[] = typeof v === 'number' ? [v, v, v, v] : Array.isArray(v) ? [...v] : [];
  if (pad.length !== 4) {
    throw new OptionError(block, name, `${name} must be one number or [top, bottom, left, right], got ${describe(v)}`);
  }
  for (const p of pad) checkInteger(block, name, p, 0, v);
  return [pad[0]!, pad[1]!, pad[2]!, pad[3]!];
}

function checkInteger(block: string, name: string, p: unknown, min: number, whole: unknown): void {
  if (typeof p !== 'number' || !Number.isInteger(p) || p < min) {
    throw new OptionError(block, name, `${name} must be integers ≥ ${min}, got ${describe(whole)}`);
  }
}

/** A finite number option, with an optional range check. */
export function toNumber(
  block: string,
  name: string,
  value: unknown,
  fallback: number,
  check?: { min?: number; max?: number; integer?: boolean; minExclusive?: boolean; maxExclusive?: boolean },
): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new OptionError(block, name, `${name} must be a finite number, got ${describe(v)}`);
  }
  if (check?.integer && !Number.isInteger(v)) throw new OptionError(block, name, `${name} must be an integer, got ${describe(v)}`);
  if (check?.min !== undefined && (check.minExclusive ? v <= check.min : v < check.min)) {
    throw new OptionError(block, name, `${name} must be ${check.minExclusive ? '>' : '≥'} ${check.min}, got ${describe(v)}`);
  }
  if (check?.max !== undefined && (check.maxExclusive ? v >= check.max : v > check.max)) {
    throw new OptionError(block, name, `${name} must be ${check.maxExclusive ? '<' : '≤'} ${check.max}, got ${describe(v)}`);
  }
  return v;
}

/** A boolean flag option. */
export function toFlag(block: string, name: string, value: unknown, fallback = false): boolean {
  const v = value ?? fallback;
  if (typeof v !== 'boolean') throw new OptionError(block, name, `${name} must be true or false, got ${describe(v)}`);
  return v;
}

/** One of a fixed set of strings. */
export function toChoice<T extends string>(block: string, name: string, value: unknown, fallback: T, choices: readonly T[]): T {
  const v = value ?? fallback;
  if (typeof v !== 'string' || !choices.includes(v as T)) {
    throw new OptionError(block, name, `${name} must be one of ${choices.map((c) => `'${c}'`).join(', ')}, got ${describe(v)}`);
  }
  return v as T;
}

/** A short description of any value for error messages. */
export function describe(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(describe).join(', ')}]`;
  if (typeof v === 'string') return `'${v}'`;
  if (v === null) return 'null';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'object';
  return String(v);
}
