/** Hand-made MAT-file bytes for tests: data elements, miMATRIX elements and files in either byte order. */
import { zlibSync } from 'fflate';

const cat = (parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
};

/** A data element: 8-byte tag, data, zero padding to 8 (no small form). */
export function el(type: number, data: Uint8Array, le = true): Uint8Array {
  const out = new Uint8Array(8 + Math.ceil(data.length / 8) * 8);
  const v = new DataView(out.buffer);
  v.setUint32(0, type, le);
  v.setUint32(4, data.length, le);
  out.set(data, 8);
  return out;
}

/** A small data element (1–4 bytes in the tag's second word). */
export function small(type: number, data: Uint8Array, le = true): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setUint32(0, ((data.length << 16) | type) >>> 0, le);
  out.set(data, 4);
  return out;
}

/** `values` as bytes of `kind` in the byte order `le`. */
export function num(kind: 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'f32' | 'f64', values: number[], le = true): Uint8Array {
  const size = { u8: 1, i8: 1, u16: 2, i16: 2, u32: 4, i32: 4, f32: 4, f64: 8 }[kind];
  const out = new Uint8Array(values.length * size);
  const v = new DataView(out.buffer);
  values.forEach((x, i) => {
    const o = i * size;
    if (kind === 'u8') v.setUint8(o, x);
    else if (kind === 'i8') v.setInt8(o, x);
    else if (kind === 'u16') v.setUint16(o, x, le);
    else if (kind === 'i16') v.setInt16(o, x, le);
    else if (kind === 'u32') v.setUint32(o, x, le);
    else if (kind === 'i32') v.setInt32(o, x, le);
    else if (kind === 'f32') v.setFloat32(o, x, le);
    else v.setFloat64(o, x, le);
  });
  return out;
}

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** An miMATRIX: flags word (class | flags << 8), dims, name, then `rest` (already encoded elements). */
export function matrix(cls: number, flags: number, dims: number[], name: string, rest: Uint8Array[], le = true): Uint8Array {
  return el(14, cat([el(6, num('u32', [cls | (flags << 8), 0], le), le), el(5, num('i32', dims, le), le), el(1, ascii(name), le), ...rest]), le);
}

/** A 128-byte header (version 0x0100) and the elements. */
export function file(elements: Uint8Array[], le = true, text = 'MATLAB 5.0 MAT-file, hand-made'): Uint8Array {
  const h = new Uint8Array(128).fill(0x20, 0, 116);
  h.set(ascii(text));
  h.fill(0, 116, 124);
  new DataView(h.buffer).setUint16(124, 0x0100, le);
  h.set(ascii(le ? 'IM' : 'MI'), 126);
  return cat([h, ...elements]);
}

/** An miCOMPRESSED element holding `inner` (zlib, no padding). */
export function compressed(inner: Uint8Array, le = true): Uint8Array {
  const z = zlibSync(inner);
  const out = new Uint8Array(8 + z.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, 15, le);
  v.setUint32(4, z.length, le);
  out.set(z, 8);
  return out;
}

export { ascii, cat };
