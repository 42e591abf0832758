/**
 * MATLAB values ↔ JSON, for the free-form parts of `net.meta` (SimpleNN's
 * `Meta` must be JSON so that convnet-ts model files can hold it).
 *
 * MATLAB → JSON (`matToJson`): empty arrays of any class → `null`; a numeric
 * or logical scalar → a number or boolean; a vector (`1×n` or `n×1`) → a flat
 * array; any other array → nested arrays, outermost index first
 * (`a[i][j][k]` is MATLAB's `A(i+1, j+1, k+1)`); a char row → a string, a
 * char matrix → its rows as strings; a cell → an array of its converted
 * elements (same nesting rule); a 1×1 struct → an object; a struct array → an
 * array of objects. Integer classes become numbers (int64 beyond 2^53 loses
 * precision); single and double both become numbers.
 *
 * JSON → MATLAB (`jsonToMat`): `null` → `[]`; a number → a double scalar; a
 * boolean → a logical scalar; a string → a char row; an array of numbers →
 * a `1×n` double row, of booleans → a logical row, of strings → a `1×n` cell
 * of strings; rectangular nested arrays of numbers → a double array of those
 * dims; an array of objects with the same keys → a `1×n` struct array; any
 * other array → a `1×n` cell; an object → a 1×1 struct. A one-element
 * numeric vector therefore comes back as a scalar, and a cell of numbers as a
 * numeric row.
 */
import { type MatValue, matCell, matChar, matDouble, matLogical, matStruct, matStructArray } from '@convnet-ts/matfile';
import { ValueError } from '@convnet-ts/tensor';
import type { JsonValue } from './layer-types.js';

const numel = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);
const isVector = (dims: readonly number[]): boolean => dims.filter((d) => d !== 1).length <= 1;

/** Nested arrays of `dims`, outermost index first, from column-major elements `at(i)`. */
function nest<T>(dims: readonly number[], at: (col: number) => T): T | (T | unknown[])[] {
  const strides: number[] = [];
  let s = 1;
  for (const d of dims) {
    strides.push(s);
    s *= d;
  }
  const build = (axis: number, offset: number): unknown[] =>
    Array.from({ length: dims[axis]! }, (_, i) => (axis === dims.length - 1 ? at(offset + i * strides[axis]!) : build(axis + 1, offset + i * strides[axis]!)));
  return build(0, 0) as (T | unknown[])[];
}

/** Elements `at(i)` of an array of `dims` as JSON: scalar, flat vector, or nested arrays. */
function shaped(dims: readonly number[], at: (col: number) => JsonValue): JsonValue {
  const n = numel(dims);
  if (n === 1) return at(0);
  if (isVector(dims)) return Array.from({ length: n }, (_, i) => at(i));
  return nest(dims, at) as JsonValue;
}

/** The JSON form of a MATLAB value (see the module doc). */
export function matToJson(v: MatValue): JsonValue {
  switch (v.type) {
    case 'numeric': {
      if (numel(v.dims) === 0) return null;
      const data = v.data as ArrayLike<number | bigint>;
      return shaped(v.dims, (i) => Number(data[i]));
    }
    case 'logical':
      return numel(v.dims) === 0 ? null : shaped(v.dims, (i) => v.data[i] === 1);
    case 'char':
      if (numel(v.dims) === 0) return '';
      return v.dims[0] === 1 && v.dims.length === 2 ? v.text : v.text.split('\n');
    case 'cell':
      if (numel(v.dims) === 0) return [];
      if (isVector(v.dims)) return v.data.map(matToJson);
      return nest(v.dims, (i) => matToJson(v.data[i]!)) as JsonValue;
    case 'struct': {
      const object = (r: Record<string, MatValue>): JsonValue => Object.fromEntries(v.fieldNames.map((f) => [f, matToJson(r[f]!)]));
      if (v.data.length === 1 && numel(v.dims) === 1) return object(v.data[0]!);
      if (numel(v.dims) === 0) return [];
      if (isVector(v.dims)) return v.data.map(object);
      return nest(v.dims, (i) => object(v.data[i]!)) as JsonValue;
    }
  }
}

const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;
const isObject = (v: unknown): v is { [key: string]: JsonValue | undefined } => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Dims of rectangular nested arrays of numbers, or null. */
function numericDims(v: JsonValue[]): number[] | null {
  const dims: number[] = [];
  let level: JsonValue = v;
  while (Array.isArray(level)) {
    if (level.length === 0) return null;
    dims.push(level.length);
    level = level[0]!;
  }
  if (typeof level !== 'number') return null;
  const check = (x: JsonValue, axis: number): boolean =>
    axis === dims.length ? typeof x === 'number' : Array.isArray(x) && x.length === dims[axis] && x.every((y) => check(y, axis + 1));
  return check(v, 0) ? dims : null;
}

/** The MATLAB value of a JSON value (see the module doc); `path` names it in errors. */
export function jsonToMat(v: JsonValue | undefined, path: string, block: string): MatValue {
  if (v === null || v === undefined) return matDouble([], [0, 0]);
  if (typeof v === 'number') return matDouble(v);
  if (typeof v === 'boolean') return matLogical(v);
  if (typeof v === 'string') return matChar(v);
  if (Array.isArray(v)) {
    if (v.length === 0) return matCell([], [0, 0]);
    if (v.every((x) => typeof x === 'boolean')) return matLogical(v as boolean[], [1, v.length]);
    if (v.every((x) => typeof x === 'string')) return matCell(v.map((s) => matChar(s as string)));
    const dims = numericDims(v);
    if (dims) {
      const data = new Float64Array(numel(dims));
      const full = dims.length === 1 ? [1, dims[0]!] : dims;
      // Outermost index first in JSON; column-major in MATLAB.
      const fill = (x: JsonValue, idx: number[]): void => {
        if (typeof x === 'number') {
          let col = 0;
          for (let a = idx.length - 1; a >= 0; a--) col = col * full[a]! + idx[a]!;
          data[col] = x;
        } else {
          for (const [i, y] of (x as JsonValue[]).entries()) fill(y, [...idx, i]);
        }
      };
      if (dims.length === 1) {
        for (const [i, x] of v.entries()) fill(x, [0, i]);
      } else fill(v, []);
      return matDouble(data, full);
    }
    if (v.every(isObject)) {
      const keys = Object.keys(v[0] as object).filter((k) => (v[0] as Record<string, unknown>)[k] !== undefined);
      const same = v.every((o) => {
        const ks = Object.keys(o).filter((k) => o[k] !== undefined);
        return ks.length === keys.length && keys.every((k) => ks.includes(k));
      });
      if (same && keys.length > 0) {
        const records = v.map((o, i) => Object.fromEntries(keys.map((k) => [k, jsonToMat(o[k], `${path}(${i + 1}).${fieldName(k, path, block)}`, block)])));
        return matStructArray(keys, records);
      }
    }
    return matCell(v.map((x, i) => jsonToMat(x, `${path}{${i + 1}}`, block)));
  }
  if (isObject(v)) {
    const fields: Record<string, MatValue> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) fields[fieldName(k, path, block)] = jsonToMat(x, `${path}.${k}`, block);
    return matStruct(fields);
  }
  throw new ValueError(block, path, `${path} must be JSON (null, a number, a boolean, a string, an array or an object), got ${typeof v}`);
}

function fieldName(key: string, path: string, block: string): string {
  if (!IDENTIFIER.test(key)) {
    throw new ValueError(block, `${path}.${key}`, `${path}: '${key}' cannot be a MATLAB struct field name (a letter, then up to 62 letters, digits or underscores)`);
  }
  return key;
}
