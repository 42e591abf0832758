/**
 * `@convnet-ts/predict/node` — files in Node: `decodeImage(bytes)` /
 * `readImageFile(path)` decode PNG and JPEG (told apart by their signature,
 * not the file name) into `RawImage` pixels, and `readModelFile(path, backend)`
 * loads a model file with `loadModel`.
 *
 * Decoders: `pngjs` (every PNG colour type and bit depth; pixels come out
 * 8-bit with the file's channels — grey 1, RGB 3, RGBA 4, palettes expanded
 * to RGB(A), a grey image's alpha dropped — but 16-bit samples are scaled to
 * 8 bits, where MATLAB's imread gives uint16 and `single()` keeps 0..65535)
 * and `jpeg-js` (baseline and progressive; grey JPEGs come out with one
 * channel, colour with three; Adobe CMYK/YCCK converted to RGB). Both are
 * pure JavaScript (no native binaries); jpeg-js's IDCT and chroma upsampling
 * are not libjpeg's, so a JPEG's pixels can differ from MATLAB's `imread` by
 * a grey level or two (PNG pixels are exact).
 */
import { readFile } from 'node:fs/promises';
import type { Backend } from '@convnet-ts/tensor';
import { ValueError } from '@convnet-ts/tensor';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { type LoadedModel, loadModel } from './load-model.js';
import type { RawImage } from './pixels.js';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_SIGNATURE = [0xff, 0xd8, 0xff];

const startsWith = (bytes: Uint8Array, sig: readonly number[]) => bytes.length >= sig.length && sig.every((b, i) => bytes[i] === b);

/**
 * pngjs's RGBA pixels with the PNG's own channels (as imread returns them):
 * grey → 1, grey + alpha → 1 (alpha dropped), RGB → 3, RGBA → 4.
 */
function fromRgba(width: number, height: number, rgba: Uint8Array, stored: 1 | 2 | 3 | 4): RawImage {
  if (stored === 4) return { width, height, data: new Uint8Array(rgba.buffer, rgba.byteOffset, rgba.byteLength), channels: 4 };
  const channels = stored === 3 ? 3 : 1;
  const n = width * height;
  const data = new Uint8Array(n * channels);
  for (let i = 0; i < n; i++) for (let c = 0; c < channels; c++) data[i * channels + c] = rgba[i * 4 + c]!;
  return { width, height, data, channels };
}

/** The pixels of a PNG or JPEG file's bytes. */
export function decodeImage(bytes: Uint8Array, name = 'bytes'): RawImage {
  const where = 'decodeImage';
  if (!(bytes instanceof Uint8Array)) throw new ValueError(where, name, `${name} must be a Uint8Array (the file's contents), got ${Object.prototype.toString.call(bytes)}`);
  try {
    if (startsWith(bytes, PNG_SIGNATURE)) {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return fromRgba(png.width, png.height, png.data, png.color ? (png.alpha ? 4 : 3) : png.alpha ? 2 : 1);
    }
    if (startsWith(bytes, JPEG_SIGNATURE)) {
      const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false });
      const channels = img.data.length / (img.width * img.height);
      if (channels !== 1 && channels !== 3) throw new Error(`decoded ${channels} values per pixel`);
      return { width: img.width, height: img.height, data: img.data, channels };
    }
  } catch (e) {
    throw new ValueError(where, name, `${name} must be a readable PNG or JPEG image, got a file the decoder rejected: ${(e as Error).message}`);
  }
  const head = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  throw new ValueError(where, name, `${name} must be a PNG or JPEG image, got a file starting with bytes ${head || '(empty)'} (convert other formats to PNG first)`);
}

/** Reads and decodes an image file (PNG or JPEG). */
export async function readImageFile(path: string): Promise<RawImage> {
  return decodeImage(new Uint8Array(await readFile(path)), path);
}

/** Reads a model file (MatConvNet .mat, SimpleNN or DagNN, or a convnet-ts model file) onto `backend`. */
export async function readModelFile(path: string, backend: Backend): Promise<LoadedModel> {
  return loadModel(new Uint8Array(await readFile(path)), backend);
}
