/**
 * Node decoders, told apart by the file's signature (never its name):
 *
 * - `js`: `pngjs` (every PNG colour type and bit depth; 16-bit samples scaled
 *   to 8 bits, palettes expanded, a grey image's alpha dropped) and `jpeg-js`
 *   (baseline and progressive, grey, RGB, Adobe CMYK/YCCK converted to RGB),
 *   with EXIF orientation applied by `exif.ts` — pure JavaScript;
 * - `sharp`: libvips (libjpeg-turbo/mozjpeg, libspng), `autoOrient` for EXIF,
 *   CMYK converted to sRGB by libvips' colour management when the file has an
 *   ICC profile, by the plain formula otherwise (as jpeg-js), 8-bit raw output.
 *
 * Both give 1 (grey), 3 (RGB) or 4 (RGBA) channels; the pipeline drops alpha.
 * Failures are `ImageErrorData` (unsupported format, corrupt or truncated file).
 */
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import type { DecodedImage } from './decoded.js';
import { type ImageErrorData, imageErrorData } from './errors.js';
import { jpegOrientation, orient } from './exif.js';
import { type Format, sniff } from './sniff.js';

export type NodeDecoder = 'js' | 'sharp';

const corrupt = (source: string, format: Format, e: unknown) =>
  imageErrorData(source, 'corrupt', `${source} must be a readable ${format.toUpperCase()} image, got one its decoder rejected: ${e instanceof Error ? e.message : String(e)}`);

/** Keeps grey (1), RGB (3) or RGBA (4) of `stored` interleaved channels (grey + alpha → grey). */
function keepChannels(width: number, height: number, data: Uint8Array, stored: number): DecodedImage {
  if (stored === 1 || stored === 3 || stored === 4) return { width, height, channels: stored, data };
  const n = width * height;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = data[i * stored]!;
  return { width, height, channels: 1, data: out };
}

export function decodeJs(bytes: Uint8Array, source: string, exifOrientation: boolean): DecodedImage | ImageErrorData {
  const format = sniff(bytes, source);
  if (typeof format !== 'string') return format;
  try {
    if (format === 'png') {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      const rgba = new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength);
      if (png.color) return png.alpha ? { width: png.width, height: png.height, channels: 4, data: rgba } : keepRgb(png.width, png.height, rgba);
      return greyOf(png.width, png.height, rgba);
    }
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, maxMemoryUsageInMB: 1024 });
    const channels = img.data.length / (img.width * img.height);
    if (channels !== 1 && channels !== 3) throw new Error(`decoded ${channels} values per pixel`);
    const decoded: DecodedImage = { width: img.width, height: img.height, channels, data: img.data };
    return exifOrientation ? orient(decoded, jpegOrientation(bytes)) : decoded;
  } catch (e) {
    return corrupt(source, format, e);
  }
}

function keepRgb(width: number, height: number, rgba: Uint8Array): DecodedImage {
  const n = width * height;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) out[3 * i + c] = rgba[4 * i + c]!;
  return { width, height, channels: 3, data: out };
}

/** A grey PNG's value, R of pngjs's RGBA (its alpha dropped). */
function greyOf(width: number, height: number, rgba: Uint8Array): DecodedImage {
  const n = width * height;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = rgba[4 * i]!;
  return { width, height, channels: 1, data: out };
}

/**
 * A CMYK image without an ICC profile as RGB by the plain formula
 * R = 255·(1 − C)(1 − K) (likewise G with M, B with Y) — what jpeg-js,
 * ImageMagick and Pillow do; libvips would otherwise assume a stock press
 * profile, a different colour (fixtures/decode/cmyk.jpg: 24 grey levels off
 * on average). With a profile, libvips' colour management is kept.
 */
function cmykToRgb(width: number, height: number, cmyk: Uint8Array): DecodedImage {
  const n = width * height;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const k = 255 - cmyk[4 * i + 3]!;
    for (let c = 0; c < 3; c++) out[3 * i + c] = Math.round(((255 - cmyk[4 * i + c]!) * k) / 255);
  }
  return { width, height, channels: 3, data: out };
}

interface SharpLike {
  (input: Uint8Array, opts: { failOn: string; limitInputPixels: boolean | number }): {
    autoOrient(): SharpChain;
  } & SharpChain;
  concurrency(n: number): number;
}
interface SharpChain {
  metadata(): Promise<{ channels?: number; space?: string; hasProfile?: boolean }>;
  toColourspace(space: string): SharpChain;
  pipelineColourspace(space: string): SharpChain;
  raw(opts: { depth: 'uchar' }): SharpChain;
  toBuffer(opts: { resolveWithObject: true }): Promise<{ data: Buffer; info: { width: number; height: number; channels: number } }>;
}

let sharpModule: SharpLike | null | undefined;

/** sharp when it is installed (an optional dependency), else null. */
export async function loadSharp(): Promise<SharpLike | null> {
  if (sharpModule === undefined) {
    try {
      const name = 'sharp';
      sharpModule = ((await import(name)) as { default: SharpLike }).default;
    } catch {
      sharpModule = null;
    }
  }
  return sharpModule;
}

export async function decodeSharp(sharp: SharpLike, bytes: Uint8Array, source: string, exifOrientation: boolean): Promise<DecodedImage | ImageErrorData> {
  const format = sniff(bytes, source);
  if (typeof format !== 'string') return format;
  try {
    const s = sharp(bytes, { failOn: 'error', limitInputPixels: false });
    // libvips writes raw pixels as sRGB unless told otherwise: keep a grey file grey.
    const meta = await s.metadata();
    const grey = (meta.channels ?? 3) <= 2;
    const naiveCmyk = meta.space === 'cmyk' && !meta.hasProfile;
    const oriented = exifOrientation ? s.autoOrient() : s;
    // a CMYK pipeline keeps the stored C, M, Y, K (a plain toColourspace('cmyk') goes through a profile)
    const chain = grey ? oriented.toColourspace('b-w') : naiveCmyk ? oriented.pipelineColourspace('cmyk').toColourspace('cmyk') : oriented;
    const { data, info } = await chain.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    const pixels = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (naiveCmyk && info.channels === 4) return cmykToRgb(info.width, info.height, pixels);
    return keepChannels(info.width, info.height, pixels, info.channels);
  } catch (e) {
    return corrupt(source, format, e);
  }
}
