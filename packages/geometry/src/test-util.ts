import fc from 'fast-check';
import { expect } from 'vitest';
import { type Field, NO_FIELD, type ReceptiveField } from './field.js';
import type { Pair } from './pair.js';

/** Relative tolerance for fields computed with fractional strides. */
const TOLERANCE = 1e-9;

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= TOLERANCE * Math.max(1, Math.abs(a), Math.abs(b));
}

function closePair(a: Pair, b: Pair): boolean {
  return close(a[0], b[0]) && close(a[1], b[1]);
}

/** True when two fields agree up to rounding (or are both `NO_FIELD`). */
export function fieldsClose(a: Field, b: Field): boolean {
  if (a === NO_FIELD || b === NO_FIELD) return a === b;
  return closePair(a.size, b.size) && closePair(a.stride, b.stride) && closePair(a.offset, b.offset);
}

/** Asserts that two fields agree up to rounding, printing both when they do not. */
export function expectFieldClose(actual: Field, expected: Field): void {
  if (!fieldsClose(actual, expected)) expect(actual).toEqual(expected);
}

/** One axis of a field as used in property tests: positive size and stride, any offset. */
const axis = fc.record({
  size: fc.double({ min: 1, max: 50, noNaN: true }),
  stride: fc.double({ min: 0.125, max: 8, noNaN: true }),
  offset: fc.double({ min: -50, max: 50, noNaN: true }),
});

/** Arbitrary receptive fields, with unrelated vertical and horizontal axes. */
export const arbitraryField: fc.Arbitrary<ReceptiveField> = fc.tuple(axis, axis).map(([h, w]) => ({
  size: [h.size, w.size],
  stride: [h.stride, w.stride],
  offset: [h.offset, w.offset],
}));

/** Simple filters as `filterField` accepts them (small, so brute force stays cheap). */
export const arbitraryFilter = fc.record({
  size: fc.integer({ min: 1, max: 5 }),
  stride: fc.integer({ min: 1, max: 3 }),
  pad: fc.integer({ min: 0, max: 3 }),
  dilate: fc.integer({ min: 1, max: 3 }),
});
