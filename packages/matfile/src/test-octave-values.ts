/** The values of fixtures/make-fixtures.m's `fixture_values` (and `global g = 42`), as MAT values: keep both in step. */
import { matCell, matCellOfStrings, matChar, matDouble, matLogical, matNumeric, matSingle, matStruct, matStructArray } from './build.js';
import type { MatChar, MatStruct, MatValue, MatVariable } from './types.js';

const emptyCell = (): MatValue => matCell([], [0, 0]);
const emptyDouble = (): MatValue => matDouble([], [0, 0]);

function charMatrix(rows: string[]): MatChar {
  const m = rows.length;
  const n = rows[0]!.length;
  const data = new Uint16Array(m * n);
  rows.forEach((r, i) => {
    for (let j = 0; j < n; j++) data[i + m * j] = r.charCodeAt(j);
  });
  return { type: 'char', dims: [m, n], data, text: rows.join('\n') };
}

export function octaveValues(): MatVariable[] {
  const values: Record<string, MatValue> = {
    d: matDouble([1, 4, 2, 5, 3, 6], [2, 3]),
    dspecial: matDouble([1.5, -2.25, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0], [1, 6]),
    d3: matDouble(Array.from({ length: 24 }, (_, i) => i + 1), [2, 3, 4]),
    sg: matSingle([1.5, -2, 3.25], [3, 1]),
    i8: matNumeric('int8', Int8Array.of(-128, 0, 127), [1, 3]),
    u8: matNumeric('uint8', Uint8Array.of(0, 200, 255), [1, 3]),
    i16: matNumeric('int16', Int16Array.of(-32768, 7, 32767), [1, 3]),
    u16: matNumeric('uint16', Uint16Array.of(0, 7, 65535), [1, 3]),
    i32: matNumeric('int32', Int32Array.of(-2147483648, 7, 2147483647), [1, 3]),
    u32: matNumeric('uint32', Uint32Array.of(0, 7, 4294967295), [1, 3]),
    i64: matNumeric('int64', BigInt64Array.of(-(2n ** 63n), 7n, 2n ** 63n - 1n), [1, 3]),
    u64: matNumeric('uint64', BigUint64Array.of(0n, 7n, 2n ** 64n - 1n), [1, 3]),
    lg: matLogical([1, 0, 0, 1, 1, 1], [2, 3]),
    ch: matChar('hello'),
    chu: matChar('héllo wörld €'),
    chm: charMatrix(['abc', 'def']),
    e: emptyDouble(),
    es: matChar(''),
    ec: emptyCell(),
    ez: matDouble([], [0, 3]),
    c: matCell([matDouble(1), matDouble([3, 4], [1, 2]), matChar('two'), matCell([matDouble(5)])], [2, 2]),
    s: matStruct({ a: matDouble(1), b: matChar('x'), c: emptyCell() }),
    sa: matStructArray(['x'], [{ x: matDouble(1) }, { x: matChar('b') }, { x: emptyDouble() }]),
    s0: { type: 'struct', dims: [0, 0], fieldNames: ['a'], data: [] } satisfies MatStruct,
    net: matStruct({
      layers: matCell([
        matStruct({ type: matChar('conv'), weights: matCell([matSingle([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 1, 2]), matSingle([0.5, 1], [1, 2])]) }),
        matStruct({ type: matChar('relu'), weights: emptyCell() }),
      ]),
      meta: matStruct({ classes: matStruct({ name: matCellOfStrings(['cat', 'dog']) }) }),
    }),
  };
  return [...Object.entries(values).map(([name, value]) => ({ name, value })), { name: 'g', value: matDouble(42), global: true }];
}
