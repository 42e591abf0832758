/** Images made in the tests: PNG and JPEG files of known pixels, in a temporary folder. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

export function tempDir(prefix = 'convnet-ts-images-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A PNG of `channels` (1 grey, 3 RGB, 4 RGBA) 8-bit values per pixel, row-major. */
export function pngBytes(width: number, height: number, channels: 1 | 3 | 4, values: ArrayLike<number>): Uint8Array {
  const png = new PNG({ width, height, colorType: channels === 1 ? 0 : channels === 3 ? 2 : 6, inputColorType: 6, inputHasAlpha: true });
  for (let i = 0; i < width * height; i++) {
    for (let c = 0; c < 4; c++) png.data[4 * i + c] = c === 3 ? (channels === 4 ? values[4 * i + 3]! : 255) : channels === 1 ? values[i]! : values[channels * i + c]!;
  }
  return new Uint8Array(PNG.sync.write(png, { colorType: channels === 1 ? 0 : channels === 3 ? 2 : 6 }));
}

/** A baseline JPEG of RGB values (quality 95). */
export function jpegBytes(width: number, height: number, rgb: ArrayLike<number>, quality = 95): Uint8Array {
  const data = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    for (let c = 0; c < 3; c++) data[4 * i + c] = rgb[3 * i + c]!;
    data[4 * i + 3] = 255;
  }
  return new Uint8Array(jpeg.encode({ data, width, height }, quality).data);
}

/** `jpeg` with an EXIF APP1 segment giving `orientation` (little-endian TIFF, one IFD0 entry) after SOI. */
export function withExifOrientation(jpegFile: Uint8Array, orientation: number): Uint8Array {
  const tiff = [0x49, 0x49, 0x2a, 0x00, 0x08, 0x00, 0x00, 0x00, 0x01, 0x00, 0x12, 0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, orientation, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00];
  const payload = [0x45, 0x78, 0x69, 0x66, 0x00, 0x00, ...tiff];
  const len = payload.length + 2;
  const app1 = [0xff, 0xe1, len >> 8, len & 0xff, ...payload];
  return Uint8Array.from([...jpegFile.subarray(0, 2), ...app1, ...jpegFile.subarray(2)]);
}

/** Writes `files` (name → bytes) into `dir` and returns their paths. */
export function writeFiles(dir: string, files: Record<string, Uint8Array>): string[] {
  return Object.entries(files).map(([name, bytes]) => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return path;
  });
}

/** Row-major values 0..255 of a smooth colour pattern (deterministic). */
export function pattern(width: number, height: number, channels: number): Uint8Array {
  const out = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let c = 0; c < channels; c++) {
    out[(y * width + x) * channels + c] = Math.round(127.5 + 127.5 * Math.sin((x * (c + 1)) / 7 + (y * (3 - c)) / 11));
  }
  return out;
}
