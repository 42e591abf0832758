/**
 * `writeMat`: MAT values as a Level 5 MAT-file, as MATLAB's `save -v7`
 * (each variable's miMATRIX zlib-compressed in an miCOMPRESSED element) or
 * `save -v6` (`compress: false`), little-endian. Numeric data is stored in its
 * class's own type, logical arrays as miUINT8 with the logical flag, char
 * data as UTF-16 units (miUTF16, as Octave writes in both; scipy decodes
 * miUINT16 chars as Latin-1), data of
 * 1–4 bytes in the small element form, struct field names padded to the
 * longest name plus its NUL (at most 64 bytes, MATLAB's limit).
 */
import { zlibSync } from 'fflate';
import { checkVariables } from './check-value.js';
import { MatFileError } from './errors.js';
import { HEADER_BYTES } from './header.js';
import { flag, mi, mx, numericClasses, pad8, platformLittleEndian } from './mi-types.js';
import type { MatValue, MatVariable, WriteMatOptions } from './types.js';

/** Writes a MAT-file. Throws `MatFileError` (`value`, `limit`) naming the path of a value it cannot write. */
export function writeMat(variables: MatVariable[] | Readonly<Record<string, MatValue>>, opts: WriteMatOptions = {}): Uint8Array {
  return encodeMat(variables, opts, true);
}

/** `writeMat` in either byte order (big-endian only for tests of `readMat`). */
export function encodeMat(variables: MatVariable[] | Readonly<Record<string, MatValue>>, opts: WriteMatOptions, littleEndian: boolean): Uint8Array {
  for (const k of Object.keys(opts)) {
    if (k !== 'compress' && k !== 'description') throw new MatFileError('value', 'writeMat', '', `unknown option '${k}' (known: compress, description)`);
  }
  const compress = opts.compress ?? true;
  if (typeof compress !== 'boolean') throw new MatFileError('value', 'writeMat', '', `compress must be a boolean, got ${typeof compress}`);
  const header = headerBytes(opts.description ?? `MATLAB 5.0 MAT-file, written by @convnet-ts/matfile, ${new Date().toUTCString()}`, littleEndian);
  const list = checkVariables(variables);
  const sizes = new WeakMap<MatValue, number>();
  const elementOf = (v: MatVariable): Uint8Array => {
    const n = contentBytes(v.value, v.name.length, sizes);
    if (n > 0xffffffff) throw new MatFileError('limit', 'writeMat', v.name, `${n} bytes, more than a MAT-file element holds (2^32 - 1)`);
    const w = new Writer(8 + n, littleEndian);
    w.matrix(v.value, v.name, v.global === true, sizes);
    return w.bytes;
  };
  if (!compress) {
    const total = HEADER_BYTES + list.reduce((s, v) => s + 8 + contentBytes(v.value, v.name.length, sizes), 0);
    const w = new Writer(total, littleEndian);
    w.bytes.set(header);
    w.off = HEADER_BYTES;
    for (const v of list) {
      const n = contentBytes(v.value, v.name.length, sizes);
      if (n > 0xffffffff) throw new MatFileError('limit', 'writeMat', v.name, `${n} bytes, more than a MAT-file element holds (2^32 - 1)`);
      w.matrix(v.value, v.name, v.global === true, sizes);
    }
    return w.bytes;
  }
  const parts = list.map((v) => zlibSync(elementOf(v)));
  const out = new Uint8Array(HEADER_BYTES + parts.reduce((s, p) => s + 8 + p.length, 0));
  const view = new DataView(out.buffer);
  out.set(header);
  let off = HEADER_BYTES;
  for (const p of parts) {
    view.setUint32(off, mi.COMPRESSED, littleEndian);
    view.setUint32(off + 4, p.length, littleEndian);
    out.set(p, off + 8);
    off += 8 + p.length;
  }
  return out;
}

function headerBytes(description: string, littleEndian: boolean): Uint8Array {
  if (typeof description !== 'string' || description.length > 116 || !/^[\x20-\x7e]*$/.test(description)) {
    throw new MatFileError('value', 'writeMat', '', `description must be printable ASCII of at most 116 characters, got ${typeof description === 'string' ? `${description.length} characters` : typeof description}`);
  }
  const h = new Uint8Array(HEADER_BYTES).fill(0x20, 0, 116);
  for (let i = 0; i < description.length; i++) h[i] = description.charCodeAt(i);
  h.fill(0, 116, 124);
  new DataView(h.buffer).setUint16(124, 0x0100, littleEndian);
  h[126] = littleEndian ? 0x49 : 0x4d;
  h[127] = littleEndian ? 0x4d : 0x49;
  return h;
}

/** Bytes of a data element of `n` bytes of data (small form for 1–4). */
const element = (n: number): number => (n > 0 && n <= 4 ? 8 : 8 + pad8(n));

const fieldLength = (names: readonly string[]): number => Math.max(0, ...names.map((f) => f.length)) + 1;

/** Bytes of an miMATRIX's data (after its tag), with a name of `nameLength` characters. */
function contentBytes(v: MatValue, nameLength: number, sizes: WeakMap<MatValue, number>): number {
  let body = sizes.get(v);
  if (body === undefined) {
    const numel = v.data.length;
    switch (v.type) {
      case 'numeric':
        body = element(numel * numericClasses[v.class].ctor.BYTES_PER_ELEMENT);
        break;
      case 'logical':
        body = element(numel);
        break;
      case 'char':
        body = element(2 * numel);
        break;
      case 'cell':
        body = v.data.reduce((s, c) => s + 8 + contentBytes(c, 0, sizes), 0);
        break;
      case 'struct':
        body = 8 + element(fieldLength(v.fieldNames) * v.fieldNames.length);
        for (const r of v.data) for (const f of v.fieldNames) body += 8 + contentBytes(r[f]!, 0, sizes);
        break;
    }
    body += 16 + element(4 * v.dims.length);
    sizes.set(v, body);
  }
  return body + element(nameLength);
}

class Writer {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  off = 0;
  constructor(
    size: number,
    readonly le: boolean,
  ) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
  }

  /** A data element: tag, `n` bytes written by `fill` at the data offset, padding. */
  element(type: number, n: number, fill: (at: number) => void): void {
    if (n > 0 && n <= 4) {
      this.view.setUint32(this.off, ((n << 16) | type) >>> 0, this.le);
      fill(this.off + 4);
      this.off += 8;
      return;
    }
    this.view.setUint32(this.off, type, this.le);
    this.view.setUint32(this.off + 4, n, this.le);
    fill(this.off + 8);
    this.off += 8 + pad8(n);
  }

  /** Typed-array data in the file's byte order. */
  typed(type: number, data: ArrayBufferView & { length: number; BYTES_PER_ELEMENT: number }): void {
    const size = data.BYTES_PER_ELEMENT;
    this.element(type, data.byteLength, (at) => {
      const src = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      this.bytes.set(src, at);
      if (size > 1 && this.le !== platformLittleEndian) {
        for (let i = at; i < at + data.byteLength; i += size) this.bytes.subarray(i, i + size).reverse();
      }
    });
  }

  ascii(text: string): void {
    this.element(mi.INT8, text.length, (at) => {
      for (let i = 0; i < text.length; i++) this.bytes[at + i] = text.charCodeAt(i);
    });
  }

  matrix(v: MatValue, name: string, global: boolean, sizes: WeakMap<MatValue, number>): void {
    const n = contentBytes(v, name.length, sizes);
    this.view.setUint32(this.off, mi.MATRIX, this.le);
    this.view.setUint32(this.off + 4, n, this.le);
    this.off += 8;
    const cls = v.type === 'numeric' ? numericClasses[v.class].mx : v.type === 'logical' ? numericClasses.uint8.mx : v.type === 'char' ? mx.CHAR : v.type === 'cell' ? mx.CELL : mx.STRUCT;
    const flags = (v.type === 'logical' ? flag.LOGICAL : 0) | (global ? flag.GLOBAL : 0);
    this.typed(mi.UINT32, Uint32Array.of(cls | (flags << 8), 0));
    this.typed(mi.INT32, Int32Array.from(v.dims));
    this.ascii(name);
    switch (v.type) {
      case 'numeric':
        this.typed(numericClasses[v.class].mi, v.data);
        return;
      case 'logical':
        this.typed(mi.UINT8, v.data);
        return;
      case 'char':
        this.typed(mi.UTF16, v.data);
        return;
      case 'cell':
        for (const c of v.data) this.matrix(c, '', false, sizes);
        return;
      case 'struct': {
        const len = fieldLength(v.fieldNames);
        this.typed(mi.INT32, Int32Array.of(len));
        this.element(mi.INT8, len * v.fieldNames.length, (at) => {
          v.fieldNames.forEach((f, k) => {
            for (let i = 0; i < f.length; i++) this.bytes[at + k * len + i] = f.charCodeAt(i);
          });
        });
        for (const r of v.data) for (const f of v.fieldNames) this.matrix(r[f]!, '', false, sizes);
      }
    }
  }
}
