import { GeometryError } from './errors.js';

/**
 * One number per spatial axis, `[vertical, horizontal]` (height first), like
 * MatConvNet's 1×2 vectors.
 */
export type Pair = readonly [h: number, w: number];

/** A `Pair`, or one number used for both axes. */
export type PairLike = number | readonly [h: number, w: number];

/** Padding or cropping `[top, bottom, left, right]`, MatConvNet's order. */
export type Pad4 = readonly [top: number, bottom: number, left: number, right: number];

/**
 * Padding or cropping as MatConvNet accepts it: one number for all four sides,
 * `[vertical, horizontal]` (that is `[top = bottom, left = right]`), or
 * `[top, bottom, left, right]`.
 */
export type PadLike = number | readonly [h: number, w: number] | Pad4;

/** What a number must be. */
export type NumberRule = 'positive integer' | 'non-negative integer' | 'positive number' | 'number ≥ 1' | 'finite number';

function follows(value: unknown, rule: NumberRule): value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) return false;
  switch (rule) {
    case 'positive integer':
      return Number.isInteger(value) && value > 0;
    case 'non-negative integer':
      return Number.isInteger(value) && value >= 0;
    case 'positive number':
      return value > 0;
    case 'number ≥ 1':
      return value >= 1;
    case 'finite number':
      return true;
  }
}

/** Formats a user-supplied value for an error message. */
export function show(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/** Checks one number; throws a `GeometryError` naming `block` and `argument`. */
export function checkNumber(block: string, argument: string, value: unknown, rule: NumberRule): number {
  if (!follows(value, rule)) {
    throw new GeometryError('option', block, argument, `${argument} must be a ${rule}, got ${show(value)}`);
  }
  return value;
}

/** Reads a `PairLike`, checking both numbers against `rule`. */
export function toPair(block: string, argument: string, value: unknown, rule: NumberRule): Pair {
  if (typeof value === 'number') {
    if (follows(value, rule)) return [value, value];
  } else if (Array.isArray(value) && value.length === 2) {
    const [h, w] = value as unknown[];
    if (follows(h, rule) && follows(w, rule)) return [h, w];
  }
  throw new GeometryError(
    'option',
    block,
    argument,
    `${argument} must be a ${rule} or a pair [h, w] of them, got ${show(value)}`,
  );
}

/** Reads a `PadLike` into `[top, bottom, left, right]`; every entry must be a non-negative integer. */
export function toPad4(block: string, argument: string, value: unknown): Pad4 {
  const rule = 'non-negative integer';
  if (typeof value === 'number') {
    if (follows(value, rule)) return [value, value, value, value];
  } else if (Array.isArray(value) && (value.length === 2 || value.length === 4)) {
    const entries = value as unknown[];
    if (entries.every((entry) => follows(entry, rule))) {
      const [a, b, c, d] = entries as number[];
      return value.length === 2 ? [a!, a!, b!, b!] : [a!, b!, c!, d!];
    }
  }
  throw new GeometryError(
    'option',
    block,
    argument,
    `${argument} must be a ${rule}, [vertical, horizontal] or [top, bottom, left, right] of them, got ${show(value)}`,
  );
}

/** The name of axis `axis` (0 or 1) for error messages. */
export function axisName(axis: 0 | 1): string {
  return axis === 0 ? 'vertical' : 'horizontal';
}
