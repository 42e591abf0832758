/**
 * EXIF orientation of a JPEG (tag 0x0112 of IFD0 in the APP1 "Exif" segment,
 * TIFF header little- or big-endian) and the pixel transform it asks for:
 * 1 as stored, 2 mirrored, 3 rotated 180°, 4 flipped vertically, 5
 * transposed, 6 rotated 90° clockwise, 7 transversed, 8 rotated 90°
 * anticlockwise. Files without EXIF, or with a value outside 1..8, are 1.
 */
import type { DecodedImage } from './decoded.js';

export function jpegOrientation(bytes: Uint8Array): number {
  let p = 2;
  while (p + 4 <= bytes.length && bytes[p] === 0xff) {
    const marker = bytes[p + 1]!;
    if (marker === 0xda || marker === 0xd9) break; // start of scan, end of image
    const len = (bytes[p + 2]! << 8) | bytes[p + 3]!;
    const at = p + 4;
    const isExif = marker === 0xe1 && len >= 16 && String.fromCharCode(...bytes.subarray(at, at + 4)) === 'Exif' && bytes[at + 4] === 0 && bytes[at + 5] === 0;
    if (isExif) return orientationInTiff(bytes.subarray(at + 6, p + 2 + len));
    p += 2 + len;
  }
  return 1;
}

function orientationInTiff(t: Uint8Array): number {
  if (t.length < 8) return 1;
  const little = t[0] === 0x49 && t[1] === 0x49;
  if (!little && !(t[0] === 0x4d && t[1] === 0x4d)) return 1;
  const u16 = (o: number) => (little ? t[o]! | (t[o + 1]! << 8) : (t[o]! << 8) | t[o + 1]!);
  const u32 = (o: number) => (little ? u16(o) + u16(o + 2) * 65536 : u16(o) * 65536 + u16(o + 2));
  const ifd = u32(4);
  if (ifd + 2 > t.length) return 1;
  const n = u16(ifd);
  for (let i = 0; i < n; i++) {
    const e = ifd + 2 + 12 * i;
    if (e + 12 > t.length) return 1;
    if (u16(e) === 0x0112) {
      const v = u16(e + 8);
      return v >= 1 && v <= 8 ? v : 1;
    }
  }
  return 1;
}

/** `image` as displayed under EXIF orientation `o` (see the module doc). */
export function orient(image: DecodedImage, o: number): DecodedImage {
  if (o === 1) return image;
  const { width: W, height: H, channels: C, data } = image;
  const swap = o >= 5;
  const w = swap ? H : W;
  const h = swap ? W : H;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const [sx, sy] =
        o === 2 ? [W - 1 - x, y]
        : o === 3 ? [W - 1 - x, H - 1 - y]
        : o === 4 ? [x, H - 1 - y]
        : o === 5 ? [y, x]
        : o === 6 ? [y, H - 1 - x]
        : o === 7 ? [W - 1 - y, H - 1 - x]
        : [W - 1 - y, x];
      const from = (sy * W + sx) * C;
      const to = (y * w + x) * C;
      for (let c = 0; c < C; c++) out[to + c] = data[from + c]!;
    }
  }
  return { width: w, height: h, channels: C, data: out };
}
