/**
 * `@convnet-ts/images/node` — `vl_imreadjpeg` in Node: image files (paths)
 * or their bytes, decoded in a pool of `numThreads` worker threads with
 * `sharp` when it is installed (an optional dependency) or the pure-JS
 * `jpeg-js` + `pngjs` (`decoder: 'js'` forces them); see the README for
 * the comparison. `imageFolderDataset` gives the trainer a batch source.
 */
import { Worker } from 'node:worker_threads';
import { OptionError } from '@convnet-ts/tensor';
import { loadSharp, type NodeDecoder } from './node-decode.js';
import type { ReadImagesOptions } from './options.js';
import { WorkerPool, type WorkerPort } from './pool.js';
import type { FromWorker } from './protocol.js';
import { ImageReader, type PackedImages, type Prefetched, type ReadResult } from './reader.js';

export { type ImageFolderOptions, imageFolderDataset, type ImageFolderDataset, scanImageFolder, type ImageFolderImdb } from './image-folder.js';
export { type DatasetContext, type DatasetOptions, type ImageDataset, type ImageImdb, imageSeed, type SetOptions } from './imdb-dataset.js';
export { type ListFileOptions, type ListFileScanOptions, listFileDataset, readListFile } from './list-file.js';

/** A path, or a file's bytes. */
export type NodeImageSource = string | Uint8Array;

export interface NodeReaderOptions {
  /** Decoding workers (default 1, as vl_imreadjpeg's NumThreads). */
  numThreads?: number;
  /** 'auto' (default): sharp when installed, else 'js'. */
  decoder?: 'auto' | NodeDecoder;
  /** The worker script (default: `node-worker.js` beside this module; set it when a bundler moves files). */
  workerUrl?: URL | string;
}

export type NodeImageReader = ImageReader<NodeImageSource> & { readonly decoder: NodeDecoder };

let defaultWorkerUrl: URL | string = new URL('./node-worker.js', import.meta.url);

/** Where readers find their worker script by default (for bundled applications). */
export function setDefaultWorkerUrl(url: URL | string): void {
  defaultWorkerUrl = url;
}

function nodePort(url: URL | string, decoder: NodeDecoder): WorkerPort {
  const w = new Worker(url, { workerData: { decoder } });
  return {
    post: (msg, transfer) => w.postMessage(msg, transfer as never),
    onMessage: (cb) => w.on('message', (m: FromWorker) => cb(m)),
    onError: (cb) => w.on('error', cb),
    terminate: () => void w.terminate(),
    ref: () => w.ref(),
    unref: () => w.unref(),
  };
}

const WHERE = 'readImages';

function wire(source: NodeImageSource, what: string) {
  if (typeof source === 'string') return { source, name: source };
  if (source instanceof Uint8Array) return { source, name: what };
  throw new OptionError(WHERE, what, `${what} must be a file path or a Uint8Array, got ${Object.prototype.toString.call(source)}`);
}

/** A reader with its own pool of `numThreads` decoding workers; `close()` it when done. */
export async function createImageReader(opts: NodeReaderOptions = {}): Promise<NodeImageReader> {
  for (const k of Object.keys(opts)) {
    if (!['numThreads', 'decoder', 'workerUrl'].includes(k)) throw new OptionError('createImageReader', k, `unknown option '${k}'; the options are numThreads, decoder, workerUrl`);
  }
  const numThreads = opts.numThreads ?? 1;
  if (!Number.isInteger(numThreads) || numThreads < 1) throw new OptionError('createImageReader', 'numThreads', `numThreads must be a positive integer, got ${String(numThreads)}`);
  const asked = opts.decoder ?? 'auto';
  if (!['auto', 'js', 'sharp'].includes(asked)) throw new OptionError('createImageReader', 'decoder', `decoder must be 'auto', 'js' or 'sharp', got ${String(asked)}`);
  const sharp = asked === 'js' ? null : await loadSharp();
  if (asked === 'sharp' && !sharp) throw new OptionError('createImageReader', 'decoder', "decoder 'sharp' needs the sharp package (npm install sharp), got none installed");
  const decoder: NodeDecoder = sharp ? 'sharp' : 'js';
  const url = opts.workerUrl ?? defaultWorkerUrl;
  const reader = new ImageReader<NodeImageSource>(WHERE, new WorkerPool(numThreads, () => nodePort(url, decoder)), wire);
  return Object.assign(reader, { decoder });
}

let shared: Promise<NodeImageReader> | null = null;

async function sharedReader(numThreads: number): Promise<NodeImageReader> {
  const current = shared ? await shared : null;
  if (current && current.numThreads === numThreads) return current;
  current?.close();
  shared = createImageReader({ numThreads });
  return shared;
}

/**
 * `vl_imreadjpeg(files, ...)`: reads `sources` with the options of
 * `options.ts` on a shared pool of `numThreads` workers (kept between calls,
 * replaced when numThreads changes, never keeping the process alive).
 * With `prefetch: true` it returns a `Prefetched` handle at once.
 */
export function readImages(sources: readonly NodeImageSource[], opts: ReadImagesOptions & { prefetch: true; pack: true }): Prefetched<PackedImages>;
export function readImages(sources: readonly NodeImageSource[], opts: ReadImagesOptions & { prefetch: true }): Prefetched;
export function readImages(sources: readonly NodeImageSource[], opts: ReadImagesOptions & { pack: true }): Promise<PackedImages>;
export function readImages(sources: readonly NodeImageSource[], opts?: ReadImagesOptions): Promise<ReadResult>;
export function readImages(sources: readonly NodeImageSource[], opts?: ReadImagesOptions): Promise<ReadResult> | Prefetched {
  const numThreads = opts?.numThreads ?? 1;
  const { numThreads: _n, prefetch, ...rest } = opts ?? {};
  if (prefetch === true) {
    const started = sharedReader(numThreads).then((r) => r.prefetch(sources, rest));
    started.catch(() => {});
    return { collect: async () => (await started).collect() };
  }
  return sharedReader(numThreads).then((r) => r.read(sources, { ...rest, ...(prefetch === undefined ? {} : { prefetch }) }));
}

export { ImageError, type ImageErrorReason } from './errors.js';
export type { ImageArray } from './decoded.js';
export type { ReadImagesOptions } from './options.js';
export type { ImageList, PackedImages, Prefetched, ReadResult, SkippedImage } from './reader.js';
