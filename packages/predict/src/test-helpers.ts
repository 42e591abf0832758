/** Shared by the tests: the Octave references and a CPU backend. */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { Interpolation } from '@convnet-ts/images';

export interface RefCase {
  height: number;
  width: number;
  channels: number;
  size: [number, number];
  method: Interpolation;
  antialiasing: boolean;
  boundary: 'symmetric' | 'replicate';
  crop: [[number, number], [number, number]] | null;
  input: number[];
  output: number[];
}

export const REFERENCE = JSON.parse(readFileSync(new URL('../../images/fixtures/imresize-reference.json', import.meta.url), 'utf8')) as { cases: RefCase[] };

export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  expect(worst).toBeLessThanOrEqual(tolerance);
}
