/**
 * miMATRIX elements (MAT-File Format, "miMATRIX Format"): array flags
 * (miUINT32 ×2: class in the low byte, flags in the next, then nzmax), the
 * dimensions (miINT32 ×ndims), the name (miINT8), then by class: the real
 * part of a numeric array; the units of a char array; one miMATRIX per
 * element of a cell (column-major); or, for a struct, the field-name length
 * (miINT32), the names (miINT8, NUL-padded to that length each) and one
 * miMATRIX per field per element. An miMATRIX of 0 bytes is MATLAB's `[]`.
 * Every size is checked against the bytes present before anything is
 * allocated.
 */
import { charText, charUnits } from './decode-char.js';
import { storedValues, toClass, toLogical } from './decode-numeric.js';
import { MatFileError } from './errors.js';
import { classOfMx, flag, mi, mx, numericClasses } from './mi-types.js';
import { latin1, readTag, type Source, type Tag } from './source.js';
import type { MatValue } from './types.js';

export interface Decoded {
  name: string;
  value: MatValue;
  global: boolean;
}

/** A struct without fields costs no bytes per element, so its element count is bounded separately. */
export const MAX_FIELDLESS_ELEMENTS = 1 << 16;

const LARGEST_DIM = 2 ** 31 - 1;

const unsupported = (path: string, what: string): never => {
  throw new MatFileError('unsupported', 'readMat', path, `${what} are not supported`);
};

/** The miMATRIX whose tag is `tag`; `path` is its place (null at the top level: its own name). */
export function decodeMatrix(src: Source, tag: Tag, path: string | null, depth: number, maxDepth: number): Decoded {
  const end = tag.data + tag.nbytes;
  if (tag.nbytes === 0) return { name: '', global: false, value: { type: 'numeric', class: 'double', dims: [0, 0], data: new Float64Array(0) } };
  const here = path ?? '';
  const flagsTag = expect(src, readTag(src, tag.data, end, here), [mi.UINT32], 'array flags', here);
  if (flagsTag.nbytes !== 8) throw new MatFileError('format', 'readMat', here, `array flags at ${src.at(flagsTag.data - 8)} hold ${flagsTag.nbytes} bytes, expected 8`);
  const word = src.u32(flagsTag.data);
  const cls = word & 0xff;
  const flags = (word >>> 8) & 0xff;

  const dimsTag = expect(src, readTag(src, flagsTag.next, end, here), [mi.INT32], 'dimensions', here);
  if (dimsTag.nbytes % 4 !== 0 || dimsTag.nbytes < 8) {
    throw new MatFileError('format', 'readMat', here, `dimensions at ${src.at(dimsTag.data - 8)} hold ${dimsTag.nbytes} bytes, expected at least two 4-byte integers`);
  }
  const dims: number[] = [];
  for (let k = 0; k < dimsTag.nbytes; k += 4) dims.push(src.i32(dimsTag.data + k));

  const nameTag = expect(src, readTag(src, dimsTag.next, end, here), [mi.INT8, mi.UINT8], 'array name', here);
  const name = latin1(src.bytes.subarray(nameTag.data, nameTag.data + nameTag.nbytes));
  const at = path ?? name;
  if (dims.some((d) => d < 0)) throw new MatFileError('format', 'readMat', at, `negative dimension in [${dims.join(', ')}]`);
  const numel = dims.reduce((a, b) => a * b, 1);
  const global = (flags & flag.GLOBAL) !== 0;
  const done = (value: MatValue): Decoded => ({ name, value, global });
  let off = nameTag.next;

  if (cls === mx.SPARSE) unsupported(at, 'sparse arrays');
  if (cls === mx.FUNCTION) unsupported(at, 'function handles');
  if (cls === mx.OPAQUE) unsupported(at, 'objects (mxOPAQUE_CLASS: classdef objects, strings, tables, …)');
  if (cls === mx.OBJECT) {
    const t = readTag(src, off, end, at);
    const className = t.type === mi.INT8 ? latin1(src.bytes.subarray(t.data, t.data + Math.min(t.nbytes, 64))) : '?';
    unsupported(at, `objects (class '${className}')`);
  }
  if (flags & flag.COMPLEX) unsupported(at, 'complex arrays');

  if (cls === mx.CELL || cls === mx.STRUCT) {
    if (depth + 1 > maxDepth) throw new MatFileError('limit', 'readMat', at, `nesting deeper than maxDepth ${maxDepth}`);
  }
  if (cls === mx.CELL) {
    checkCount(numel, end - off, 8, at, 'cell elements');
    src.alloc(numel * 8);
    const data: MatValue[] = new Array(numel);
    for (let k = 0; k < numel; k++) {
      const child = expect(src, readTag(src, off, end, at), [mi.MATRIX], `cell element ${k + 1}`, at);
      data[k] = decodeMatrix(src, child, `${at}{${k + 1}}`, depth + 1, maxDepth).value;
      off = child.next;
    }
    return done({ type: 'cell', dims, data });
  }
  if (cls === mx.STRUCT) {
    const lenTag = expect(src, readTag(src, off, end, at), [mi.INT32], 'field-name length', at);
    if (lenTag.nbytes !== 4) throw new MatFileError('format', 'readMat', at, `field-name length at ${src.at(lenTag.data - 8)} holds ${lenTag.nbytes} bytes, expected 4`);
    const len = src.i32(lenTag.data);
    const namesTag = expect(src, readTag(src, lenTag.next, end, at), [mi.INT8, mi.UINT8], 'field names', at);
    if (len < 0 || (len === 0 && namesTag.nbytes !== 0) || (len > 0 && namesTag.nbytes % len !== 0)) {
      throw new MatFileError('format', 'readMat', at, `field names at ${src.at(namesTag.data - 8)}: ${namesTag.nbytes} bytes are not a whole number of ${len}-byte names`);
    }
    const fieldNames: string[] = [];
    const seen = new Set<string>();
    for (let p = namesTag.data; p < namesTag.data + namesTag.nbytes; p += len) {
      const slot = src.bytes.subarray(p, p + len);
      const nul = slot.indexOf(0);
      const f = latin1(nul < 0 ? slot : slot.subarray(0, nul));
      if (f === '' || seen.has(f)) throw new MatFileError('format', 'readMat', at, `field name ${fieldNames.length + 1} is ${f === '' ? 'empty' : `a duplicate ('${f}')`}`);
      fieldNames.push(f);
      seen.add(f);
    }
    off = namesTag.next;
    if (fieldNames.length === 0) {
      if (numel > MAX_FIELDLESS_ELEMENTS) throw new MatFileError('limit', 'readMat', at, `a struct array without fields of ${numel} elements (at most ${MAX_FIELDLESS_ELEMENTS})`);
    } else {
      checkCount(numel * fieldNames.length, end - off, 8, at, 'struct field values');
    }
    src.alloc(numel * (8 + 8 * fieldNames.length));
    const data: Record<string, MatValue>[] = new Array(numel);
    for (let k = 0; k < numel; k++) {
      const record: Record<string, MatValue> = {};
      const base = numel === 1 ? at : `${at}(${k + 1})`;
      for (const f of fieldNames) {
        const child = expect(src, readTag(src, off, end, at), [mi.MATRIX], `field '${f}'`, `${base}.${f}`);
        const value = decodeMatrix(src, child, `${base}.${f}`, depth + 1, maxDepth).value;
        Object.defineProperty(record, f, { value, enumerable: true, writable: true, configurable: true });
        off = child.next;
      }
      data[k] = record;
    }
    return done({ type: 'struct', dims, fieldNames, data });
  }
  if (cls === mx.CHAR) {
    checkCount(numel, end - off, 1, at, 'characters');
    if (numel === 0 && off >= end) return done({ type: 'char', dims, data: new Uint16Array(0), text: '' });
    const units = charUnits(src, readTag(src, off, end, at), numel, at);
    return done({ type: 'char', dims, data: units, text: charText(units, dims) });
  }
  const numeric = classOfMx.get(cls);
  if (numeric === undefined) throw new MatFileError('format', 'readMat', at, `unknown array class ${cls}`);
  if (numel === 0 && off >= end) {
    return done(flags & flag.LOGICAL ? { type: 'logical', dims, data: new Uint8Array(0) } : { type: 'numeric', class: numeric, dims, data: new numericClasses[numeric].ctor(0) });
  }
  const dataTag = readTag(src, off, end, at);
  const values = storedValues(src, dataTag, at);
  if (values.length !== numel) {
    throw new MatFileError('format', 'readMat', at, `data at ${src.at(dataTag.data - 8)} holds ${values.length} values, the dimensions [${dims.join(', ')}] say ${numel}`);
  }
  if (flags & flag.LOGICAL) return done({ type: 'logical', dims, data: toLogical(src, values) });
  return done({ type: 'numeric', class: numeric, dims, data: toClass(src, values, numeric, at) });
}

function expect(src: Source, tag: Tag, types: number[], what: string, path: string): Tag {
  if (!types.includes(tag.type)) {
    throw new MatFileError('format', 'readMat', path, `${what} at ${src.at(tag.data - 8)}: data element of type ${tag.type}, expected ${types.join(' or ')}`);
  }
  return tag;
}

/** `count` items of at least `bytesEach` must fit in `left` bytes (this also bounds absurd dimensions). */
function checkCount(count: number, left: number, bytesEach: number, path: string, what: string): void {
  if (count > LARGEST_DIM * 4 || count * bytesEach > left) {
    throw new MatFileError('format', 'readMat', path, `${count} ${what} do not fit in the ${left} bytes left of the element`);
  }
}
