/**
 * Files written by GNU Octave 7.3 (fixtures/make-fixtures.m, `save -v6` and
 * `save -v7`) read as the values the script holds; the files writeMat writes
 * for the same values are the ones Octave read back and checked
 * (fixtures/octave-check.txt). Regenerate: `UPDATE_FIXTURES=1 pnpm exec
 * vitest run src/octave.test.ts`, then `cd fixtures && octave-cli make-fixtures.m`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { MatFileError } from './errors.js';
import { readMat } from './read.js';
import { octaveValues } from './test-octave-values.js';
import type { MatNumeric } from './types.js';
import { writeMat } from './write.js';

const fixture = (name: string): URL => new URL(`../fixtures/${name}`, import.meta.url);
const load = (name: string): Uint8Array => new Uint8Array(readFileSync(fixture(name)));
const DESCRIPTION = 'MATLAB 5.0 MAT-file, written by @convnet-ts/matfile (fixture)';

describe('files written by Octave', () => {
  for (const name of ['octave-v6.mat', 'octave-v7.mat']) {
    test(name, () => {
      const m = readMat(load(name));
      expect(m.description).toMatch(/^MATLAB 5\.0 MAT-file, written by Octave 7\.3\.0/);
      expect(m.endian).toBe('little');
      expect(m.variables).toEqual(octaveValues());
    });
  }

  test('an uncompressed file gives views into the input; a compressed one views into its inflated buffer', () => {
    const bytes = load('octave-v6.mat');
    const d = readMat(bytes).variables.find((v) => v.name === 'd3')!.value as MatNumeric;
    expect(d.data.buffer).toBe(bytes.buffer);
    const z = readMat(load('octave-v7.mat')).variables.find((v) => v.name === 'd3')!.value as MatNumeric;
    expect(z.data.buffer.byteLength).toBeLessThan(4096);
  });

  test('sparse and complex data name the path', () => {
    expect(() => readMat(load('octave-sparse.mat'))).toThrow('readMat: un.layers{3}.weights{2}: sparse arrays are not supported');
    expect(() => readMat(load('octave-complex.mat'))).toThrow('readMat: uc(2).w: complex arrays are not supported');
    try {
      readMat(load('octave-sparse.mat'));
    } catch (e) {
      expect(e).toBeInstanceOf(MatFileError);
      expect((e as MatFileError).code).toBe('unsupported');
      expect((e as MatFileError).path).toBe('un.layers{3}.weights{2}');
    }
  });
});

describe('files Octave read back', () => {
  for (const [name, compress] of [
    ['writemat-v6.mat', false],
    ['writemat-v7.mat', true],
  ] as const) {
    test(`${name} is what writeMat writes now, and reads back as the values`, () => {
      const bytes = writeMat(octaveValues(), { compress, description: DESCRIPTION });
      if (process.env.UPDATE_FIXTURES) writeFileSync(fixture(name), bytes);
      expect(Buffer.from(bytes).equals(Buffer.from(load(name)))).toBe(true);
      expect(readMat(bytes).variables).toEqual(octaveValues());
    });
  }

  test('Octave loaded every variable of both files and found it equal (octave-check.txt)', () => {
    expect(existsSync(fixture('octave-check.txt'))).toBe(true);
    const lines = readFileSync(fixture('octave-check.txt'), 'utf8').trim().split('\n');
    const expected = ['writemat-v6.mat', 'writemat-v7.mat'].flatMap((f) => octaveValues().map((v) => `${f} ${v.name} ok`));
    expect(lines).toEqual(expected);
  });
});
