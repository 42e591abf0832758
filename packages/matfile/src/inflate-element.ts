/**
 * miCOMPRESSED (MAT-File Format, v7): a zlib stream (RFC 1950) holding one
 * whole data element, tag included. The inner tag is inflated first (a few
 * hundred bytes of the stream), its declared size checked against what
 * deflate can produce from the compressed bytes (at most 1032:1), and then
 * the element is inflated straight into a buffer of exactly that size, whose
 * Adler-32 must match the stream's.
 */
import { Inflate, inflateSync } from 'fflate';
import { MatFileError } from './errors.js';
import { mi } from './mi-types.js';
import { Source, type Tag } from './source.js';

/** Deflate's largest expansion: a 258-byte match per 2 bits, plus the stream's overhead. */
const MAX_RATIO = 1032;

export function inflateElement(file: Source, tag: Tag, name: string): Source {
  const at = file.at(tag.data - 8);
  const z = file.bytes.subarray(tag.data, tag.data + tag.nbytes);
  const fail = (why: string): never => {
    throw new MatFileError('format', 'readMat', name, `compressed variable at ${at}: ${why}`);
  };
  if (z.length < 6) fail(`${z.length} bytes, too short for a zlib stream`);
  const cmf = z[0]!;
  const flg = z[1]!;
  if ((cmf & 0x0f) !== 8 || cmf >> 4 > 7 || (cmf * 256 + flg) % 31 !== 0 || flg & 0x20) fail('not a zlib stream');
  const raw = z.subarray(2);

  const head = inflateHead(raw, fail);
  const le = file.littleEndian;
  const hv = new DataView(head.buffer, head.byteOffset, 8);
  const type = hv.getUint32(0, le);
  if (type !== mi.MATRIX) fail(`the inner element has type ${type}, expected miMATRIX (14)`);
  const total = 8 + hv.getUint32(4, le);
  if (total > tag.nbytes * MAX_RATIO + 64) {
    throw new MatFileError('limit', 'readMat', name, `compressed variable at ${at} declares ${total} bytes from ${tag.nbytes} compressed bytes, more than deflate can produce (${MAX_RATIO}:1)`);
  }
  let out: Uint8Array;
  try {
    out = new Uint8Array(total + 1);
  } catch {
    throw new MatFileError('limit', 'readMat', name, `compressed variable at ${at} declares ${total} bytes, which cannot be allocated`);
  }
  file.alloc(total + 1);
  let got: Uint8Array;
  try {
    got = inflateSync(raw, { out });
  } catch (e) {
    return fail(`corrupt deflate data (${(e as Error).message})`);
  }
  if (got.length > total) fail(`it inflates to more than the ${total} bytes its inner tag declares`);
  if (got.length < total) fail(`it inflates to ${got.length} bytes, its inner tag declares ${total}`);
  const element = out.subarray(0, total);
  const sum = ((z[z.length - 4]! << 24) | (z[z.length - 3]! << 16) | (z[z.length - 2]! << 8) | z[z.length - 1]!) >>> 0;
  if (adler32(element) !== sum) fail('Adler-32 checksum mismatch');
  return new Source(element, le, file.stats, ` of the compressed variable at ${at}`);
}

/** The first 8 inflated bytes (the inner tag), feeding the stream 256 bytes at a time. */
function inflateHead(raw: Uint8Array, fail: (why: string) => never): Uint8Array {
  const head = new Uint8Array(8);
  let have = 0;
  const inf = new Inflate((chunk) => {
    const n = Math.min(8 - have, chunk.length);
    head.set(chunk.subarray(0, n), have);
    have += n;
  });
  try {
    for (let off = 0; have < 8 && off < raw.length; off += 256) inf.push(raw.subarray(off, off + 256), false);
  } catch (e) {
    fail(`corrupt deflate data (${(e as Error).message})`);
  }
  if (have < 8) fail('the stream ends before the inner tag');
  return head;
}

/** RFC 1950's Adler-32. */
export function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < bytes.length; ) {
    const end = Math.min(bytes.length, i + 5552);
    for (; i < end; i++) {
      a += bytes[i]!;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}
