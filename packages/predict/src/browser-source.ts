/**
 * Browser image sources → RGBA pixels, drawn on an `OffscreenCanvas` (or a
 * `<canvas>` where OffscreenCanvas is missing) and read back with
 * `getImageData`. Feature-detected at run time; in Node these sources do not
 * exist and passing anything but raw pixels throws.
 *
 * Decoding is the browser's: a JPEG may differ from MATLAB's `imread`
 * (libjpeg) by a grey level here and there, and browsers may apply colour
 * management (an image with an ICC profile is converted to sRGB).
 */
import { ValueError } from '@convnet-ts/tensor';
import type { RawImage } from './pixels.js';

/** What a browser can draw: `ImageBitmap`, `HTMLImageElement` (loaded), `HTMLCanvasElement`, `OffscreenCanvas`, `HTMLVideoElement`, `VideoFrame`. */
export type DrawableImage = CanvasImageSource;

interface Sized {
  width: number;
  height: number;
}

function sizeOf(source: DrawableImage): Sized {
  const s = source as Partial<Sized> & { naturalWidth?: number; naturalHeight?: number; videoWidth?: number; videoHeight?: number; displayWidth?: number; displayHeight?: number };
  const width = s.naturalWidth || s.videoWidth || s.displayWidth || s.width;
  const height = s.naturalHeight || s.videoHeight || s.displayHeight || s.height;
  return { width: Number(width), height: Number(height) };
}

type Context2D = OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D;

function context(where: string, width: number, height: number): Context2D {
  const g = globalThis as { OffscreenCanvas?: typeof OffscreenCanvas; document?: Document };
  if (typeof g.OffscreenCanvas === 'function') {
    const ctx = new g.OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true });
    if (ctx) return ctx;
  }
  if (g.document) {
    const canvas = g.document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (ctx) return ctx;
  }
  throw new ValueError(where, 'image', 'image must be raw pixels { width, height, data } here: this environment has no OffscreenCanvas or document to draw an image on (in Node, decode files with readImageFile from @convnet-ts/predict/node)');
}

/** True for objects a 2-D canvas can draw (checked by the constructors this environment has). */
export function isDrawable(v: unknown): v is DrawableImage {
  if (typeof v !== 'object' || v === null) return false;
  const names = ['ImageBitmap', 'HTMLImageElement', 'HTMLCanvasElement', 'OffscreenCanvas', 'HTMLVideoElement', 'VideoFrame', 'SVGImageElement'];
  const g = globalThis as unknown as Record<string, unknown>;
  return names.some((n) => typeof g[n] === 'function' && v instanceof (g[n] as new () => object));
}

/** The RGBA pixels of a drawable source (4 channels, 0..255). */
export function pixelsOf(where: string, what: string, source: DrawableImage): RawImage {
  const { width, height } = sizeOf(source);
  if (!(Number.isInteger(width) && width > 0 && Number.isInteger(height) && height > 0)) {
    throw new ValueError(where, what, `${what} must be a loaded image with a size, got ${width}×${height} (wait for an HTMLImageElement's load event or use createImageBitmap)`);
  }
  const ctx = context(where, width, height);
  ctx.drawImage(source, 0, 0, width, height);
  const { data } = ctx.getImageData(0, 0, width, height);
  return { width, height, data, channels: 4 };
}
