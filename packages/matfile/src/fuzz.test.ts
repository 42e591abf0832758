/**
 * Random corruptions of valid -v6 and -v7 files (byte changes, then maybe a
 * truncation): readMat returns or throws a MatFileError, nothing else, and
 * allocates at most 16 × 1032 bytes per input byte (deflate's largest
 * expansion times the widest class conversion) plus 1 MiB. Seeded.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { matCell, matChar, matDouble, matLogical, matNumeric, matSingle, matStruct, matStructArray } from './build.js';
import { MatFileError } from './errors.js';
import { decodeMat } from './read.js';
import { writeMat } from './write.js';

const values = {
  w: matSingle([1, 2, 3, 4, 5, 6], [1, 2, 3]),
  i: matNumeric('int64', BigInt64Array.of(-1n, 2n), [2, 1]),
  s: matStruct({ name: matChar('conv1'), c: matCell([matDouble(1), matLogical([true, false])]) }),
  sa: matStructArray(['x', 'y'], [{ x: matDouble(2), y: matChar('') }, { x: matCell([]), y: matChar('é') }]),
};

describe('fuzz', () => {
  for (const compress of [false, true]) {
    test(`corrupted ${compress ? '-v7' : '-v6'} files`, () => {
      const valid = writeMat(values, { compress, description: 'MATLAB 5.0 MAT-file' });
      const corruption = fc.record({
        edits: fc.array(fc.record({ at: fc.nat({ max: valid.length - 1 }), byte: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 6 }),
        cut: fc.option(fc.nat({ max: valid.length }), { nil: undefined }),
      });
      fc.assert(
        fc.property(corruption, ({ edits, cut }) => {
          const bytes = valid.slice(0, cut ?? valid.length);
          for (const { at, byte } of edits) if (at < bytes.length) bytes[at] = byte;
          const stats = { allocated: 0 };
          try {
            decodeMat(bytes, {}, stats);
          } catch (e) {
            if (!(e instanceof MatFileError)) throw e;
          }
          expect(stats.allocated).toBeLessThanOrEqual(16 * 1032 * bytes.length + (1 << 20));
        }),
        { seed: compress ? 7 : 5, numRuns: 600 },
      );
    });
  }
});
