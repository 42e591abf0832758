/**
 * Reading MAT values with errors that say where: each accessor takes the
 * value's path in MATLAB syntax (`net.layers{3}.weights{1}`) and the name of
 * the function asking (`loadMatConvNet`), and throws a `MatFileError` of code
 * `value` naming both, what was expected and what was found.
 */
import { MatFileError } from './errors.js';
import type { MatCell, MatStruct, MatValue } from './types.js';

/** `double 3×3×64`, `struct 1×1`, `char 1×4 'conv'`: how a value is described in messages. */
export function describe(v: MatValue): string {
  const size = v.dims.join('×');
  switch (v.type) {
    case 'numeric':
      return `${v.class} ${size}`;
    case 'char':
      return `char ${size}${v.text.length <= 40 ? ` '${v.text}'` : ''}`;
    default:
      return `${v.type} ${size}`;
  }
}

const numel = (v: MatValue): number => v.dims.reduce((a, b) => a * b, 1);

function wrong(block: string, path: string, expected: string, v: MatValue | undefined): never {
  throw new MatFileError('value', block, path, `expected ${expected}, got ${v === undefined ? 'nothing' : describe(v)}`);
}

/** A 1×1 struct (or the one element of a struct array of one). */
export function asStruct(v: MatValue | undefined, path: string, block: string): Record<string, MatValue> {
  if (v?.type !== 'struct' || v.data.length !== 1) wrong(block, path, 'a 1×1 struct', v);
  return (v as MatStruct).data[0]!;
}

/** The records of a struct array, column-major (a 0×0 struct gives none). */
export function asStructArray(v: MatValue | undefined, path: string, block: string): Record<string, MatValue>[] {
  if (v?.type !== 'struct') wrong(block, path, 'a struct array', v);
  return (v as MatStruct).data;
}

/** The elements of a cell array, column-major. An empty numeric `[]` is accepted as an empty cell, as MATLAB code treats `[]` and `{}` alike. */
export function asCell(v: MatValue | undefined, path: string, block: string): MatValue[] {
  if (v && v.type === 'numeric' && numel(v) === 0) return [];
  if (v?.type !== 'cell') wrong(block, path, 'a cell array', v);
  return (v as MatCell).data;
}

/** A char row's text. */
export function asText(v: MatValue | undefined, path: string, block: string): string {
  if (v?.type !== 'char' || (numel(v) > 0 && v.dims.length !== 2) || (numel(v) > 0 && v.dims[0] !== 1)) wrong(block, path, 'a char row (a string)', v);
  return v.type === 'char' ? v.text : '';
}

/** Every element as a JavaScript number (numeric or logical; int64 beyond 2^53 loses precision), column-major. */
export function asNumbers(v: MatValue | undefined, path: string, block: string): number[] {
  if (!v || (v.type !== 'numeric' && v.type !== 'logical')) wrong(block, path, 'a numeric array', v);
  const data = (v as { data: ArrayLike<number | bigint> }).data;
  return Array.from({ length: data.length }, (_, i) => Number(data[i]));
}

/** A real scalar. */
export function asScalar(v: MatValue | undefined, path: string, block: string): number {
  if (!v || (v.type !== 'numeric' && v.type !== 'logical') || numel(v) !== 1) wrong(block, path, 'a numeric scalar', v);
  return asNumbers(v, path, block)[0]!;
}

/** True when `v` is `[]` of any class, `''` or `{}` (MATLAB's `isempty`). */
export function isEmpty(v: MatValue | undefined): boolean {
  return v === undefined || numel(v) === 0;
}

/** `field` of struct record `s`, or `undefined` when the struct has no such field. */
export function field(s: Readonly<Record<string, MatValue>>, name: string): MatValue | undefined {
  return Object.hasOwn(s, name) ? s[name] : undefined;
}
