/**
 * Char data (MAT-File Format, "Character Arrays"): UTF-16 code units stored
 * as miUTF16 / miUINT16 / miINT16 (a view when aligned and in this platform's
 * byte order), miUINT8 / miINT8 (one byte per char, Latin-1), miUTF8 or
 * miUTF32 (decoded). The units must number exactly the array's elements.
 */
import { MatFileError } from './errors.js';
import { mi, platformLittleEndian } from './mi-types.js';
import type { Source, Tag } from './source.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function charUnits(src: Source, tag: Tag, numel: number, path: string): Uint16Array {
  const { type, nbytes, data } = tag;
  const bytes = src.bytes.subarray(data, data + nbytes);
  let units: Uint16Array;
  if (type === mi.UTF16 || type === mi.UINT16 || type === mi.INT16) {
    if (nbytes !== numel * 2) return mismatch(src, tag, numel, nbytes / 2, path);
    const start = src.bytes.byteOffset + data;
    if (src.littleEndian === platformLittleEndian && start % 2 === 0) return new Uint16Array(src.bytes.buffer, start, numel);
    src.alloc(nbytes);
    units = new Uint16Array(numel);
    for (let i = 0; i < numel; i++) units[i] = src.view.getUint16(data + 2 * i, src.littleEndian);
  } else if (type === mi.UINT8 || type === mi.INT8) {
    if (nbytes !== numel) return mismatch(src, tag, numel, nbytes, path);
    src.alloc(nbytes * 2);
    units = Uint16Array.from(bytes);
  } else if (type === mi.UTF8) {
    if (nbytes < numel || nbytes > numel * 3) return mismatch(src, tag, numel, nbytes, path);
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      throw new MatFileError('format', 'readMat', path, `char data at ${src.at(data - 8)} is not valid UTF-8`);
    }
    if (text.length !== numel) return mismatch(src, tag, numel, text.length, path);
    src.alloc(numel * 2);
    units = new Uint16Array(numel);
    for (let i = 0; i < numel; i++) units[i] = text.charCodeAt(i);
  } else if (type === mi.UTF32) {
    if (nbytes % 4 !== 0 || nbytes > numel * 4 || nbytes * 2 < numel * 4) return mismatch(src, tag, numel, nbytes / 4, path);
    src.alloc(numel * 2);
    units = new Uint16Array(numel);
    let k = 0;
    for (let i = 0; i < nbytes; i += 4) {
      const c = src.view.getUint32(data + i, src.littleEndian);
      if (c > 0x10ffff) throw new MatFileError('format', 'readMat', path, `char data at ${src.at(data - 8)} holds ${c}, not a Unicode code point`);
      const s = String.fromCodePoint(c);
      if (k + s.length > numel) return mismatch(src, tag, numel, k + s.length, path);
      for (let j = 0; j < s.length; j++) units[k++] = s.charCodeAt(j);
    }
    if (k !== numel) return mismatch(src, tag, numel, k, path);
  } else {
    throw new MatFileError('format', 'readMat', path, `char data at ${src.at(data - 8)} has type ${type}, expected miUTF8, miUTF16, miUTF32, miUINT16 or miUINT8`);
  }
  return units;
}

function mismatch(src: Source, tag: Tag, numel: number, got: number, path: string): never {
  throw new MatFileError('format', 'readMat', path, `char data at ${src.at(tag.data - 8)} holds ${got} characters, the dimensions say ${numel}`);
}

/** `MatChar.text`: a row's string, or a matrix's rows joined by `'\n'` (rows = dims[0], columns the rest). */
export function charText(units: Uint16Array, dims: readonly number[]): string {
  const rows = dims[0]!;
  if (units.length === 0 || rows === 0) return '';
  const cols = units.length / rows;
  if (rows === 1) return fromUnits(units);
  const lines: string[] = [];
  const row = new Uint16Array(cols);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < cols; j++) row[j] = units[r + rows * j]!;
    lines.push(fromUnits(row));
  }
  return lines.join('\n');
}

function fromUnits(units: Uint16Array): string {
  let s = '';
  for (let i = 0; i < units.length; i += 8192) s += String.fromCharCode(...units.subarray(i, i + 8192));
  return s;
}
