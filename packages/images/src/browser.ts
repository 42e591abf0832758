/**
 * `@convnet-ts/images/browser` — `vl_imreadjpeg` in browsers: URLs, `File`s
 * (drag and drop) and `Blob`s decoded in `numThreads` Web Workers
 * (`browser-worker.ts`: createImageBitmap + OffscreenCanvas), then the same
 * crops, flips and jitter as in Node. `workerUrl` is the worker module's URL
 * (bundlers: `new URL('@convnet-ts/images/browser-worker', import.meta.url)`
 * or a Blob URL of its bundle; Vite: `import url from
 * '@convnet-ts/images/browser-worker?worker&url'`).
 *
 * Datasets from dropped files: `filesFromDataTransfer` / `filesFromInput`
 * and `scanDroppedFiles` (`browser-folder.ts`), `droppedFolderDataset`
 * (`browser-dataset.ts`), a `BatchSource` for `@convnet-ts/train`.
 */
import { OptionError } from '@convnet-ts/tensor';
import { WorkerPool, type WorkerPort } from './pool.js';
import type { FromWorker } from './protocol.js';
import { ImageReader } from './reader.js';

export type BrowserImageSource = string | Blob | Uint8Array;

export interface BrowserReaderOptions {
  numThreads?: number;
  workerUrl: URL | string;
}

function webPort(url: URL | string): WorkerPort {
  const w = new Worker(url, { type: 'module' });
  let onError: ((err: Error) => void) | null = null;
  w.onerror = (e) => onError?.(new Error(e.message || 'the worker failed to start'));
  return {
    post: (msg, transfer) => w.postMessage(msg, transfer ?? []),
    onMessage: (cb) => {
      w.onmessage = (e: MessageEvent<FromWorker>) => cb(e.data);
    },
    onError: (cb) => {
      onError = cb;
    },
    terminate: () => w.terminate(),
  };
}

function wire(source: BrowserImageSource, what: string) {
  // Resolved here: a worker (a Blob URL one above all) has another base URL.
  if (typeof source === 'string') return { source: new URL(source, globalThis.location?.href).href, name: source };
  if (source instanceof Blob) return { source, name: source instanceof File ? source.name : what };
  if (source instanceof Uint8Array) return { source, name: what };
  throw new OptionError('readImages', what, `${what} must be a URL, a Blob or File, or a Uint8Array, got ${Object.prototype.toString.call(source)}`);
}

/** A reader with `numThreads` Web Workers; `close()` it when done. */
export function createImageReader(opts: BrowserReaderOptions): ImageReader<BrowserImageSource> {
  const numThreads = opts.numThreads ?? 1;
  if (!Number.isInteger(numThreads) || numThreads < 1) throw new OptionError('createImageReader', 'numThreads', `numThreads must be a positive integer, got ${String(numThreads)}`);
  if (opts.workerUrl === undefined) throw new OptionError('createImageReader', 'workerUrl', 'workerUrl must be the URL of the decoding worker module, got none');
  return new ImageReader<BrowserImageSource>('readImages', new WorkerPool(numThreads, () => webPort(opts.workerUrl)), wire);
}

export { type DatasetProblem, type DroppedDataset, type DroppedDatasetOptions, droppedFolderDataset } from './browser-dataset.js';
export { imageSeed, valSplit } from './split.js';
export { type DroppedFile, type DroppedFolder, type DroppedScanOptions, filesFromDataTransfer, filesFromInput, type IgnoredFile, scanDroppedFiles } from './browser-folder.js';
export type { DatasetContext, ImageImdb, SetOptions } from './imdb-dataset.js';
export { ImageError, type ImageErrorReason } from './errors.js';
export type { ImageArray } from './decoded.js';
export type { ReadImagesOptions } from './options.js';
export type { ImageList, PackedImages, Prefetched, ReadResult, SkippedImage } from './reader.js';
