/**
 * The bytes being decoded (the file, or one inflated miCOMPRESSED element)
 * and the data-element tag (MAT-File Format, "Data Element Format"): 4 bytes
 * type and 4 bytes size, data, padding to 8 bytes; or the small form, where
 * the first 4 bytes hold size (upper 16 bits, 1..4) and type (lower 16 bits)
 * and the data fills the next 4.
 */
import { MatFileError } from './errors.js';
import { pad8 } from './mi-types.js';

/** Bytes of decoded output so far (typed arrays, inflate buffers, records), for the allocation bound. */
export interface ReadStats {
  allocated: number;
}

export class Source {
  readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    readonly littleEndian: boolean,
    readonly stats: ReadStats,
    /** How offsets are named in messages: `''` for the file, `' of the compressed variable at byte N'` inside one. */
    readonly within: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  u32(off: number): number {
    return this.view.getUint32(off, this.littleEndian);
  }

  i32(off: number): number {
    return this.view.getInt32(off, this.littleEndian);
  }

  at(off: number): string {
    return `byte ${off}${this.within}`;
  }

  /** Counts `n` bytes about to be allocated. */
  alloc(n: number): void {
    this.stats.allocated += n;
  }
}

export interface Tag {
  type: number;
  nbytes: number;
  /** Offset of the data. */
  data: number;
  /** Offset of the next element (after the padding, at most `end`). */
  next: number;
}

/** The tag at `off` of an element that must end by `end`. */
export function readTag(src: Source, off: number, end: number, path: string): Tag {
  if (off + 8 > end) {
    throw new MatFileError('format', 'readMat', path, `truncated data element at ${src.at(off)}: a tag needs 8 bytes, ${Math.max(0, end - off)} left`);
  }
  const w0 = src.u32(off);
  if (w0 >>> 16 !== 0) {
    const nbytes = w0 >>> 16;
    if (nbytes > 4) {
      throw new MatFileError('format', 'readMat', path, `corrupt small data element at ${src.at(off)}: it declares ${nbytes} bytes, at most 4 fit`);
    }
    return { type: w0 & 0xffff, nbytes, data: off + 4, next: off + 8 };
  }
  const nbytes = src.u32(off + 4);
  const data = off + 8;
  if (nbytes > end - data) {
    throw new MatFileError('format', 'readMat', path, `data element at ${src.at(off)} declares ${nbytes} bytes, only ${end - data} are left`);
  }
  return { type: w0, nbytes, data, next: Math.min(end, data + pad8(nbytes)) };
}

/** Bytes as Latin-1 text (names, header text), in chunks (no argument-count limit). */
export function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return s;
}
