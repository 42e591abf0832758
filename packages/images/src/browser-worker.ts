/**
 * The decoding Web Worker of `@convnet-ts/images/browser`: fetches a URL
 * (or takes a Blob / File / bytes), checks its signature, decodes it with
 * `createImageBitmap` (EXIF orientation 'from-image' unless turned off, no
 * premultiplied alpha, no colour-space conversion), reads the pixels back
 * from an `OffscreenCanvas` as RGBA, and transforms them (`transform.ts`).
 * Grey files come out as RGB (the canvas has no grey format).
 */
import type { DecodedImage } from './decoded.js';
import { type ImageErrorData, imageErrorData } from './errors.js';
import { type FromWorker, type ToWorker, type WireSource, workerHandler } from './protocol.js';
import { sniff } from './sniff.js';

async function blobOf(source: WireSource, name: string): Promise<Blob | ImageErrorData> {
  if (source instanceof Blob) return source;
  if (source instanceof Uint8Array) return new Blob([source as Uint8Array<ArrayBuffer>]);
  try {
    const r = await fetch(source);
    if (!r.ok) return imageErrorData(name, r.status === 404 ? 'missing' : 'unreadable', `${name} must be a reachable image URL, got HTTP ${r.status}`);
    return await r.blob();
  } catch (e) {
    return imageErrorData(name, 'unreadable', `${name} must be a reachable image URL, got ${(e as Error).message}`);
  }
}

async function decode(source: WireSource, name: string, exifOrientation: boolean): Promise<DecodedImage | ImageErrorData> {
  const blob = await blobOf(source, name);
  if (!(blob instanceof Blob)) return blob;
  const format = sniff(new Uint8Array(await blob.slice(0, 8).arrayBuffer()), name);
  if (typeof format !== 'string') return format;
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob, { imageOrientation: exifOrientation ? 'from-image' : 'none', premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
  } catch (e) {
    return imageErrorData(name, 'corrupt', `${name} must be a readable ${format.toUpperCase()} image, got one the browser rejected: ${(e as Error).message}`);
  }
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d');
  if (!ctx) return imageErrorData(name, 'unreadable', `${name}: an OffscreenCanvas 2d context was expected, got none`);
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  const { data, width, height } = ctx.getImageData(0, 0, canvas.width, canvas.height);
  return { width, height, channels: 4, data };
}

const scope = globalThis as unknown as { postMessage(msg: FromWorker, transfer: ArrayBuffer[]): void; onmessage: ((e: MessageEvent<ToWorker>) => void) | null };
const handle = workerHandler(decode, (msg, transfer) => scope.postMessage(msg, transfer));
scope.onmessage = (e) => void handle(e.data);
