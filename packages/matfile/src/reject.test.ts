/**
 * Hostile and corrupt input: every truncation of a small -v6 and -v7 file,
 * corrupt tags, absurd sizes and dimensions, deep nesting, zlib bombs, v7.3
 * files and unsupported classes all end in a MatFileError that says what
 * and where, before anything large is allocated.
 */
import { zlibSync } from 'fflate';
import { describe, expect, test } from 'vitest';
import { matCell, matChar, matDouble, matSingle, matStruct, matStructArray } from './build.js';
import { MatFileError, type MatFileErrorCode } from './errors.js';
import { decodeMat, readMat } from './read.js';
import { cat, el, file, matrix, num } from './test-bytes.js';
import type { MatValue } from './types.js';
import { writeMat } from './write.js';

function rejects(bytes: Uint8Array, code: MatFileErrorCode, message: string | RegExp, path?: string): void {
  let error: unknown;
  try {
    readMat(bytes);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(MatFileError);
  const e = error as MatFileError;
  expect(e.code).toBe(code);
  expect(e.message).toMatch(message);
  if (path !== undefined) expect(e.path).toBe(path);
}

const sample = (): Record<string, MatValue> => ({
  w: matSingle([1, 2, 3, 4], [2, 2]),
  s: matStruct({ name: matChar('conv1'), c: matCell([matDouble(1), matChar('ab')]) }),
  sa: matStructArray(['x'], [{ x: matDouble(2) }, { x: matCell([]) }]),
});

describe('truncated files', () => {
  for (const compress of [false, true]) {
    test(`every truncation of a ${compress ? '-v7' : '-v6'} file is a format error or, at a variable boundary, the variables before it`, () => {
      const bytes = writeMat(sample(), { compress, description: 'MATLAB 5.0 MAT-file' });
      const full = readMat(bytes).variables;
      const boundaries = new Map<number, number>([[128, 0]]);
      let off = 128;
      for (let k = 0; k < full.length; k++) {
        off += 8 + new DataView(bytes.buffer).getUint32(off + 4, true);
        boundaries.set(off, k + 1);
      }
      for (let n = 0; n < bytes.length; n++) {
        const cut = bytes.slice(0, n);
        if (boundaries.has(n)) {
          expect(readMat(cut).variables).toEqual(full.slice(0, boundaries.get(n)));
          continue;
        }
        expect(() => readMat(cut), `length ${n}`).toThrow(MatFileError);
        try {
          readMat(cut);
        } catch (e) {
          expect((e as MatFileError).code, `length ${n}: ${(e as Error).message}`).toBe('format');
        }
      }
    });
  }
});

describe('corrupt and absurd elements', () => {
  test('header faults', () => {
    rejects(new Uint8Array(100), 'format', /truncated header: 100 bytes/);
    const bad = file([]);
    bad[126] = 0x41;
    rejects(bad, 'format', /endian indicator 'IM' or 'MI', got 0x41 0x4d/);
    const v = file([]);
    v[124] = 9;
    rejects(v, 'format', /unknown MAT-file version 0x0109/);
  });

  test('v7.3 (HDF5) files say how to re-save them', () => {
    const h = file([], true, 'MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Mon Jan  1 00:00:00 2024 HDF5 schema 1.00 .');
    new DataView(h.buffer).setUint16(124, 0x0200, true);
    const withHdf5 = cat([h, new Uint8Array(384), Uint8Array.of(0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a), new Uint8Array(64)]);
    rejects(withHdf5, 'unsupported', /v7\.3 MAT-file \(HDF5\).*'-v7'/);
    const versionOnly = file([]);
    new DataView(versionOnly.buffer).setUint16(124, 0x0200, true);
    rejects(versionOnly, 'unsupported', /v7\.3/);
  });

  test('an element larger than the file, a wrong top-level type, a corrupt small element', () => {
    const big = file([matrix(6, 0, [1, 1], 'x', [el(9, num('f64', [1]))])]);
    new DataView(big.buffer).setUint32(132, 0xfffffff0, true);
    rejects(big, 'format', /data element at byte 128 declares 4294967280 bytes, only 64 are left/);
    rejects(file([el(9, num('f64', [1]))]), 'format', /byte 128 has type 9, expected a variable/);
    const smallBad = file([matrix(6, 0, [1, 1], 'x', [new Uint8Array([9, 0, 7, 0, 0, 0, 0, 0])])]);
    rejects(smallBad, 'format', /corrupt small data element .* declares 7 bytes/, 'x');
  });

  test('absurd, negative and mismatched dimensions', () => {
    rejects(file([matrix(6, 0, [2 ** 31 - 1, 2 ** 31 - 1], 'x', [el(9, num('f64', [1]))])]), 'format', /holds 1 values, the dimensions \[2147483647, 2147483647\]/, 'x');
    rejects(file([matrix(6, 0, [-1, 2], 'x', [el(9, num('f64', [1]))])]), 'format', /negative dimension in \[-1, 2\]/, 'x');
    rejects(file([matrix(1, 0, [100000, 100000], 'c', [])]), 'format', /10000000000 cell elements do not fit/, 'c');
    rejects(file([matrix(4, 0, [1, 1e9], 's', [el(16, num('u8', [65]))])]), 'format', /1000000000 characters do not fit/, 's');
    const fieldless = file([matrix(2, 0, [1, 1e6], 's', [el(5, num('i32', [1])), el(1, new Uint8Array(0))])]);
    rejects(fieldless, 'limit', /without fields of 1000000 elements/, 's');
  });

  test('nesting deeper than maxDepth', () => {
    let v: MatValue = matDouble(1);
    for (let i = 0; i < 70; i++) v = matCell([v]);
    const bytes = writeMat({ deep: v }, { compress: false });
    rejects(bytes, 'limit', /nesting deeper than maxDepth 64/);
    expect(readMat(bytes, { maxDepth: 70 }).variables[0]!.value).toEqual(v);
    expect(() => readMat(bytes, { maxDepth: 1e6 })).toThrow('readMat: maxDepth must be an integer from 0 to 1000, got 1000000');
    expect(() => readMat(bytes, { depth: 3 } as never)).toThrow("readMat: unknown option 'depth'");
  });

  test('a zlib bomb is refused before inflating; corrupt deflate data and checksums are format errors', () => {
    const tag = new Uint8Array(16);
    new DataView(tag.buffer).setUint32(0, 14, true);
    new DataView(tag.buffer).setUint32(4, 0xfffffff0, true);
    const z = zlibSync(tag);
    const bomb = file([cat([el(15, new Uint8Array(0)).subarray(0, 4), num('u32', [z.length]), z])]);
    const stats = { allocated: 0 };
    expect(() => decodeMat(bomb, {}, stats)).toThrow(/declares 4294967288 bytes from \d+ compressed bytes, more than deflate can produce/);
    expect(stats.allocated).toBe(0);

    const good = writeMat({ w: matSingle([1, 2, 3]) });
    const flipped = good.slice();
    flipped[flipped.length - 1]! ^= 1;
    rejects(flipped, 'format', /Adler-32 checksum mismatch/);
    const notZlib = good.slice();
    notZlib[136] = 0;
    rejects(notZlib, 'format', /not a zlib stream/);
  });

  test('sparse, complex, function handles and objects name their path', () => {
    const inCell = (cls: number, flags: number, rest: Uint8Array[] = []) =>
      file([matrix(2, 0, [1, 1], 'net', [el(5, num('i32', [7])), el(1, Uint8Array.from('layers\0', (c) => c.charCodeAt(0))), matrix(1, 0, [1, 3], '', [matrix(6, 0, [1, 1], '', [el(9, num('f64', [1]))]), matrix(6, 0, [1, 1], '', [el(9, num('f64', [1]))]), matrix(cls, flags, [1, 1], '', rest)])])]);
    rejects(inCell(5, 0), 'unsupported', 'readMat: net.layers{3}: sparse arrays are not supported', 'net.layers{3}');
    rejects(inCell(6, 0x08), 'unsupported', 'net.layers{3}: complex arrays are not supported');
    rejects(inCell(16, 0), 'unsupported', 'net.layers{3}: function handles are not supported');
    rejects(inCell(17, 0), 'unsupported', /net\.layers\{3\}: objects \(mxOPAQUE_CLASS/);
    rejects(inCell(3, 0, [el(1, Uint8Array.from('dagnn.DagNN', (c) => c.charCodeAt(0)))]), 'unsupported', "net.layers{3}: objects (class 'dagnn.DagNN') are not supported");
    rejects(inCell(99, 0), 'format', 'net.layers{3}: unknown array class 99');
  });
});

describe('writeMat rejects what it cannot write', () => {
  test('names, fields, dims, data types and cycles', () => {
    expect(() => writeMat({ '1x': matDouble(1) })).toThrow("writeMat: variable 1's name must be a MATLAB identifier");
    expect(() => writeMat({ s: matStruct({ [`f${'x'.repeat(63)}`]: matDouble(1) }) })).toThrow('writeMat: s: a field name must be a MATLAB identifier of at most 63 characters');
    expect(() => writeMat({ x: { type: 'numeric', class: 'double', dims: [2, 2], data: new Float64Array(3) } })).toThrow('writeMat: x: dims [2, 2] hold 4 elements, data has 3');
    expect(() => writeMat({ x: { type: 'numeric', class: 'single', dims: [1, 1], data: new Float64Array(1) } as never })).toThrow("writeMat: x: a single array's data must be a Float32Array, got Float64Array");
    expect(() => writeMat({ x: { type: 'logical', dims: [1, 1], data: Uint8Array.of(2) } })).toThrow('writeMat: x: a logical array holds only 0 and 1');
    expect(() => writeMat({ s: matStructArray(['a'], [{ a: matDouble(1) }, { a: matCell([matDouble(1), { type: 'char', dims: [1], data: new Uint16Array(1), text: 'a' }]) }]) })).toThrow('writeMat: s(2).a{2}: dims must be at least two integers');
    const c = matCell([matDouble(1)]);
    c.data.push(c);
    c.dims = [1, 2];
    expect(() => writeMat({ c })).toThrow('writeMat: c{2}: this value contains itself');
    expect(() => writeMat({ x: matDouble(1) }, { description: 'é' })).toThrow('writeMat: description must be printable ASCII');
    expect(() => writeMat({ x: matDouble(1) }, { level: 9 } as never)).toThrow("writeMat: unknown option 'level'");
  });
});
