/**
 * Builders of MAT values, for writers (`saveMatConvNet`, tests). Dimensions
 * default to a column `[n, 1]` for numeric data, as MATLAB's `x(:)`, and to a
 * row `[1, n]` for cells and text.
 */
import { MatFileError } from './errors.js';
import type { MatCell, MatChar, MatLogical, MatNumeric, MatStruct, MatValue, NumericClass, NumericData } from './types.js';

const numel = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

function checkDims(dims: readonly number[], length: number, what: string): number[] {
  if (dims.length < 2 || !dims.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new MatFileError('value', 'matfile', '', `${what}: dims must be at least two non-negative integers, got [${dims.join(', ')}]`);
  }
  if (numel(dims) !== length) {
    throw new MatFileError('value', 'matfile', '', `${what}: dims [${dims.join(', ')}] hold ${numel(dims)} elements, got ${length}`);
  }
  return [...dims];
}

/** A numeric array of class `cls` (its data is used as given, not copied). */
export function matNumeric<C extends NumericClass>(cls: C, data: NumericData[C], dims: readonly number[] = [data.length, 1]): MatNumeric<C> {
  return { type: 'numeric', class: cls, dims: checkDims(dims, data.length, cls), data };
}

/** A double array (copied into a Float64Array). */
export function matDouble(data: ArrayLike<number> | number, dims?: readonly number[]): MatNumeric<'double'> {
  const values = typeof data === 'number' ? Float64Array.of(data) : Float64Array.from(data);
  return matNumeric('double', values, dims ?? (typeof data === 'number' ? [1, 1] : [values.length, 1]));
}

/** A single array (copied into a Float32Array). */
export function matSingle(data: ArrayLike<number> | number, dims?: readonly number[]): MatNumeric<'single'> {
  const values = typeof data === 'number' ? Float32Array.of(data) : Float32Array.from(data);
  return matNumeric('single', values, dims ?? (typeof data === 'number' ? [1, 1] : [values.length, 1]));
}

/** A logical array. */
export function matLogical(data: ArrayLike<boolean | number> | boolean, dims?: readonly number[]): MatLogical {
  const values = typeof data === 'boolean' ? Uint8Array.of(data ? 1 : 0) : Uint8Array.from(Array.from(data, (v) => (v ? 1 : 0)));
  return { type: 'logical', dims: checkDims(dims ?? (typeof data === 'boolean' ? [1, 1] : [values.length, 1]), values.length, 'logical'), data: values };
}

/** A char row vector (`''` is `[0, 0]`, as MATLAB). */
export function matChar(text: string): MatChar {
  const data = new Uint16Array(text.length);
  for (let i = 0; i < text.length; i++) data[i] = text.charCodeAt(i);
  return { type: 'char', dims: text.length === 0 ? [0, 0] : [1, text.length], data, text };
}

/** A cell array (default a row `[1, n]`). */
export function matCell(values: readonly MatValue[], dims: readonly number[] = [1, values.length]): MatCell {
  return { type: 'cell', dims: checkDims(dims, values.length, 'cell'), data: [...values] };
}

/** A cell row of strings (MATLAB's `{'a', 'b'}`). */
export function matCellOfStrings(texts: readonly string[]): MatCell {
  return matCell(texts.map(matChar));
}

/** A 1×1 struct with these fields, in this order. */
export function matStruct(fields: Readonly<Record<string, MatValue>>): MatStruct {
  return { type: 'struct', dims: [1, 1], fieldNames: Object.keys(fields), data: [{ ...fields }] };
}

/** A struct array (default a row `[1, n]`); every record must have exactly `fieldNames`. */
export function matStructArray(fieldNames: readonly string[], records: readonly Readonly<Record<string, MatValue>>[], dims: readonly number[] = [1, records.length]): MatStruct {
  records.forEach((r, i) => {
    const keys = Object.keys(r);
    if (keys.length !== fieldNames.length || !fieldNames.every((f) => f in r)) {
      throw new MatFileError('value', 'matfile', '', `struct array: record ${i + 1} must have the fields ${fieldNames.join(', ')}, got ${keys.join(', ')}`);
    }
  });
  return { type: 'struct', dims: checkDims(dims, records.length, 'struct array'), fieldNames: [...fieldNames], data: records.map((r) => ({ ...r })) };
}
