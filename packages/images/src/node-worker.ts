/**
 * The decoding worker of `@convnet-ts/images/node` (a worker_threads entry):
 * reads each file itself, so the calling thread neither reads nor decodes,
 * decodes it with the decoder the reader chose (`workerData.decoder`), and
 * transforms it (`transform.ts`).
 */
import { readFile } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import type { DecodedImage } from './decoded.js';
import { type ImageErrorData, imageErrorData } from './errors.js';
import { decodeJs, decodeSharp, loadSharp, type NodeDecoder } from './node-decode.js';
import { type FromWorker, type ToWorker, type WireSource, workerHandler } from './protocol.js';

const decoder = (workerData as { decoder: NodeDecoder }).decoder;
const sharp = decoder === 'sharp' ? await loadSharp() : null;
sharp?.concurrency(1);

async function bytesOf(source: WireSource, name: string): Promise<Uint8Array | ImageErrorData> {
  if (source instanceof Uint8Array) return source;
  if (typeof source !== 'string') return imageErrorData(name, 'unsupported', `${name} must be a file path or a Uint8Array in Node, got ${Object.prototype.toString.call(source)}`);
  try {
    return new Uint8Array(await readFile(source));
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT') return imageErrorData(source, 'missing', `${source} must be an image file, got no such file`);
    return imageErrorData(source, 'unreadable', `${source} must be a readable image file, got ${code ?? 'an error'}: ${(e as Error).message}`);
  }
}

async function decode(source: WireSource, name: string, exifOrientation: boolean): Promise<DecodedImage | ImageErrorData> {
  const bytes = await bytesOf(source, name);
  if (!(bytes instanceof Uint8Array)) return bytes;
  return sharp ? decodeSharp(sharp, bytes, name, exifOrientation) : decodeJs(bytes, name, exifOrientation);
}

const port = parentPort;
if (!port) throw new Error('node-worker: must run in a worker thread, got the main thread');
const handle = workerHandler(decode, (msg: FromWorker, transfer) => port.postMessage(msg, transfer), { inProgress: 2 });
port.on('message', (msg: ToWorker) => void handle(msg));
