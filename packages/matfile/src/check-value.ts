/**
 * What `writeMat` accepts, checked before a byte is written: every value one
 * of the five MAT value types with at least two non-negative integer `dims`
 * whose product is the number of elements, numeric `data` the class's typed
 * array, logical data 0s and 1s, char data UTF-16 units, struct records with
 * exactly the struct's fields, names MATLAB identifiers of at most 63
 * characters, and no value containing itself.
 */
import { MatFileError } from './errors.js';
import { numericClasses } from './mi-types.js';
import type { MatValue, MatVariable, NumericClass } from './types.js';

/** MATLAB's `namelengthmax` and identifier rule (`isvarname`). */
const NAME = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;
/** Deeper nesting would risk JavaScript's call stack (readMat's largest maxDepth). */
export const MAX_WRITE_DEPTH = 1000;

const fail = (path: string, message: string, code: 'value' | 'limit' = 'value'): never => {
  throw new MatFileError(code, 'writeMat', path, message);
};

export function checkName(name: unknown, path: string, what: string): void {
  if (typeof name !== 'string' || !NAME.test(name)) {
    fail(path, `${what} must be a MATLAB identifier of at most 63 characters (a letter, then letters, digits or '_'), got ${typeof name === 'string' ? `'${name.length > 80 ? `${name.slice(0, 80)}…` : name}' (${name.length} characters)` : typeof name}`);
  }
}

/** The variables as a list, every name and value checked. */
export function checkVariables(variables: MatVariable[] | Readonly<Record<string, MatValue>>): MatVariable[] {
  if (variables === null || typeof variables !== 'object') fail('', `variables must be an array of { name, value } or an object of values, got ${variables === null ? 'null' : typeof variables}`);
  const list: MatVariable[] = Array.isArray(variables) ? variables : Object.entries(variables).map(([name, value]) => ({ name, value }));
  const seen = new Set<string>();
  list.forEach((v, i) => {
    if (v === null || typeof v !== 'object') fail('', `variable ${i + 1} must be { name, value }, got ${v === null ? 'null' : typeof v}`);
    checkName(v.name, '', `variable ${i + 1}'s name`);
    if (seen.has(v.name)) fail(v.name, 'two variables have this name');
    seen.add(v.name);
    if (v.global !== undefined && typeof v.global !== 'boolean') fail(v.name, `global must be a boolean, got ${typeof v.global}`);
    checkValue(v.value, v.name, new Set(), 0);
  });
  return list;
}

function checkDims(v: { dims?: unknown }, path: string): number {
  const dims = v.dims;
  if (!Array.isArray(dims) || dims.length < 2 || !dims.every((d) => Number.isInteger(d) && d >= 0 && d <= 2 ** 31 - 1)) {
    fail(path, `dims must be at least two integers from 0 to 2^31-1, got ${Array.isArray(dims) ? `[${dims.join(', ')}]` : typeof dims}`);
  }
  const n = (dims as number[]).reduce((a, b) => a * b, 1);
  if (n > Number.MAX_SAFE_INTEGER) fail(path, `dims [${(dims as number[]).join(', ')}] hold more elements than can be counted`, 'limit');
  return n;
}

function lengthIs(path: string, length: number, numel: number, dims: number[]): void {
  if (length !== numel) fail(path, `dims [${dims.join(', ')}] hold ${numel} elements, data has ${length}`);
}

function checkValue(v: MatValue, path: string, ancestors: Set<MatValue>, depth: number): void {
  if (v === null || typeof v !== 'object') fail(path, `expected a MAT value, got ${v === null ? 'null' : typeof v}`);
  const numel = checkDims(v, path);
  switch (v.type) {
    case 'numeric': {
      const info = numericClasses[v.class as NumericClass] as (typeof numericClasses)[NumericClass] | undefined;
      if (!info || !Object.hasOwn(numericClasses, v.class)) fail(path, `unknown numeric class '${String(v.class)}' (known: ${Object.keys(numericClasses).join(', ')})`);
      if (!(v.data instanceof info!.ctor)) fail(path, `a ${v.class} array's data must be a ${info!.ctor.name}, got ${typeName(v.data)}`);
      lengthIs(path, v.data.length, numel, v.dims);
      return;
    }
    case 'logical':
      if (!(v.data instanceof Uint8Array)) fail(path, `a logical array's data must be a Uint8Array, got ${typeName(v.data)}`);
      lengthIs(path, v.data.length, numel, v.dims);
      if (!v.data.every((b) => b <= 1)) fail(path, 'a logical array holds only 0 and 1');
      return;
    case 'char':
      if (!(v.data instanceof Uint16Array)) fail(path, `a char array's data must be a Uint16Array of UTF-16 units, got ${typeName(v.data)}`);
      lengthIs(path, v.data.length, numel, v.dims);
      return;
    case 'cell':
    case 'struct':
      break;
    default:
      fail(path, `unknown value type '${String((v as { type: unknown }).type)}' (known: numeric, logical, char, cell, struct)`);
  }
  if (depth >= MAX_WRITE_DEPTH) fail(path, `nesting deeper than ${MAX_WRITE_DEPTH}`, 'limit');
  if (ancestors.has(v)) fail(path, 'this value contains itself');
  if (!Array.isArray(v.data)) fail(path, `a ${v.type}'s data must be an array, got ${typeName(v.data)}`);
  lengthIs(path, v.data.length, numel, v.dims);
  ancestors.add(v);
  if (v.type === 'cell') {
    v.data.forEach((child, k) => {
      checkValue(child, `${path}{${k + 1}}`, ancestors, depth + 1);
    });
  } else {
    if (!Array.isArray(v.fieldNames)) fail(path, `fieldNames must be an array, got ${typeName(v.fieldNames)}`);
    const names = new Set<string>();
    for (const f of v.fieldNames) {
      checkName(f, path, 'a field name');
      if (names.has(f)) fail(path, `field '${f}' is named twice`);
      names.add(f);
    }
    v.data.forEach((record, k) => {
      const base = numel === 1 ? path : `${path}(${k + 1})`;
      if (record === null || typeof record !== 'object') fail(base, `struct element ${k + 1} must be an object of fields, got ${typeName(record)}`);
      const keys = Object.keys(record);
      const extra = keys.find((key) => !names.has(key));
      if (extra !== undefined) fail(base, `has field '${extra}', which is not in fieldNames (${v.fieldNames.join(', ')})`);
      for (const f of v.fieldNames) {
        if (!Object.hasOwn(record, f)) fail(base, `lacks field '${f}'`);
        checkValue(record[f]!, `${base}.${f}`, ancestors, depth + 1);
      }
    });
  }
  ancestors.delete(v);
}

const typeName = (x: unknown): string => (x === null ? 'null' : typeof x === 'object' ? ((x as object).constructor?.name ?? 'object') : typeof x);
