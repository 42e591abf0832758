/**
 * writeMat → readMat gives back every value exactly, in -v6 and -v7 files and
 * in big-endian files (written by the test-only big-endian mode of the
 * encoder); data MATLAB stores narrower than its class, chars in every
 * storage type, and a big-endian file made by hand read as they should.
 */
import { describe, expect, test } from 'vitest';
import { matCell, matChar, matDouble, matLogical, matNumeric, matSingle, matStruct, matStructArray } from './build.js';
import { readMat } from './read.js';
import { el, file, matrix, num, small } from './test-bytes.js';
import { octaveValues } from './test-octave-values.js';
import type { MatNumeric, MatVariable } from './types.js';
import { encodeMat, writeMat } from './write.js';

const extra = (): MatVariable[] => [
  { name: 'scalar_single', value: matSingle(0.1) },
  { name: 'deep', value: matCell([matCell([matStruct({ x: matStructArray(['p', 'q'], [{ p: matDouble(1), q: matChar('a') }, { p: matLogical(true), q: matCell([]) }], [2, 1]) })])]) },
  { name: 'long_field', value: matStruct({ [`f${'x'.repeat(62)}`]: matDouble(1) }) },
  { name: 'surrogates', value: matChar('a😀b') },
  { name: 'empties', value: matCell([matNumeric('int16', new Int16Array(0), [0, 5]), matLogical([], [1, 0]), { type: 'char', dims: [0, 3], data: new Uint16Array(0), text: '' }]) },
];

describe('writeMat → readMat', () => {
  for (const [label, compress, le] of [
    ['-v6', false, true],
    ['-v7', true, true],
    ['-v6 big-endian', false, false],
    ['-v7 big-endian', true, false],
  ] as const) {
    test(label, () => {
      const vars = [...octaveValues(), ...extra()];
      const m = readMat(encodeMat(vars, { compress, description: 'MATLAB 5.0 MAT-file, test' }, le));
      expect(m.endian).toBe(le ? 'little' : 'big');
      expect(m.description).toBe('MATLAB 5.0 MAT-file, test');
      expect(m.variables).toEqual(vars);
    });
  }

  test('a record of values works as a list', () => {
    const m = readMat(writeMat({ a: matDouble(1), b: matChar('x') }));
    expect(m.variables).toEqual([
      { name: 'a', value: matDouble(1) },
      { name: 'b', value: matChar('x') },
    ]);
    expect(m.description).toMatch(/^MATLAB 5\.0 MAT-file, written by @convnet-ts\/matfile, /);
  });

  test('a view at an odd offset and big-endian data are copied, aligned little-endian data is not', () => {
    const bytes = writeMat({ w: matSingle([1, 2, 3]) }, { compress: false });
    const shifted = new Uint8Array(bytes.length + 1).subarray(1);
    shifted.set(bytes);
    const a = readMat(shifted).variables[0]!.value as MatNumeric;
    expect(a.data).toEqual(Float32Array.of(1, 2, 3));
    expect(a.data.buffer).not.toBe(shifted.buffer);
    expect((readMat(bytes).variables[0]!.value as MatNumeric).data.buffer).toBe(bytes.buffer);
  });
});

describe('what MATLAB and other writers store', () => {
  const only = (bytes: Uint8Array) => readMat(bytes).variables[0]!.value;

  test('a double array stored as miUINT8, miINT16, miINT32 and small elements', () => {
    expect(only(file([matrix(6, 0, [1, 3], 'x', [el(2, num('u8', [1, 2, 255]))])]))).toEqual(matDouble([1, 2, 255], [1, 3]));
    expect(only(file([matrix(6, 0, [1, 2], 'x', [small(3, num('i16', [-3, 300]))])]))).toEqual(matDouble([-3, 300], [1, 2]));
    expect(only(file([matrix(6, 0, [1, 1], 'x', [small(5, num('i32', [-70000]))])]))).toEqual(matDouble(-70000));
    expect(only(file([matrix(14, 0, [1, 2], 'x', [el(2, num('u8', [5, 6]))])]))).toEqual(matNumeric('int64', BigInt64Array.of(5n, 6n), [1, 2]));
  });

  test('a stored value the class cannot hold is a format error', () => {
    expect(() => only(file([matrix(8, 0, [1, 1], 'x', [el(9, num('f64', [300]))])]))).toThrow('readMat: x: stored value 300 does not fit class int8');
  });

  test('char data as miUTF8, miUINT8, miUTF32 and a logical stored as doubles', () => {
    const utf8 = new TextEncoder().encode('é€x');
    expect(only(file([matrix(4, 0, [1, 3], 's', [el(16, utf8)])]))).toEqual(matChar('é€x'));
    expect(only(file([matrix(4, 0, [1, 2], 's', [small(2, num('u8', [0x68, 0xe9]))])]))).toEqual(matChar('hé'));
    expect(only(file([matrix(4, 0, [1, 3], 's', [el(18, num('u32', [0x61, 0x1f600]))])]))).toEqual(matChar('a😀'));
    expect(only(file([matrix(6, 2, [1, 3], 'b', [el(9, num('f64', [0, 2, 1]))])]))).toEqual(matLogical([0, 1, 1], [1, 3]));
  });

  test('a big-endian file made by hand (MAT-File Format, every field big-endian, "MI")', () => {
    const bytes = file([matrix(7, 0, [2, 1], 'w', [el(7, num('f32', [1.5, -2], false), false)], false), matrix(4, 4, [1, 2], 'c', [small(4, num('u16', [0x68, 0x20ac], false), false)], false)], false);
    const m = readMat(bytes);
    expect(m.endian).toBe('big');
    expect(m.variables).toEqual([
      { name: 'w', value: matSingle([1.5, -2]) },
      { name: 'c', value: matChar('h€'), global: true },
    ]);
  });

  test('an miMATRIX of 0 bytes is []', () => {
    const empty = new Uint8Array([14, 0, 0, 0, 0, 0, 0, 0]);
    expect(only(file([matrix(1, 0, [1, 1], 'c', [empty])]))).toEqual(matCell([matDouble([], [0, 0])]));
  });
});
