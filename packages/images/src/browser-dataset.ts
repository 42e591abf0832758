/**
 * `droppedFolderDataset(folder, opts)` — a `BatchSource` for
 * `@convnet-ts/train` over dropped files (`browser-folder.ts`), decoded in
 * `numThreads` Web Workers (`browser.ts`), as the Node `imageFolderDataset`:
 * each batch read with the options of its set (`cnn_imagenet_get_batch`:
 * random crops and flips for training, a centre crop for validation),
 * `prefetch` starting the next one, and image i of epoch e jittered by
 * `imageSeed(seed, e, i)`.
 *
 * Before training it reads every image once (`check`): the centre crop of
 * `val`'s options at the network size, errors skipped. An image that does
 * not decode (corrupt, truncated, not PNG/JPEG inside) is listed in
 * `problems` by path and left out of `trainIndices` / `valIndices` — never
 * trained on as a black image — and the mean colour of the readable
 * training images (`averageColour`, cnn_imagenet's `rgbMean`) is
 * subtracted from every input unless `subtractMean: false`.
 */
import { type Backend, OptionError, type Tensor, ValueError } from '@convnet-ts/tensor';
import { createImageReader } from './browser.js';
import type { DroppedFolder } from './browser-folder.js';
import { imageSeed } from './split.js';
import type { ImageErrorReason } from './errors.js';
import type { DatasetContext, ImageImdb, SetOptions } from './imdb-dataset.js';
import { parseReadOptions, type ReadImagesOptions } from './options.js';
import type { PackedImages, Prefetched } from './reader.js';

export interface DroppedDatasetOptions {
  /** The network's input `[H, W]` (vl_imreadjpeg's Resize). */
  resize: readonly [number, number];
  /** Read options for training images (set 1). */
  train?: SetOptions;
  /** Read options for validation images (set 2), also used by the check. */
  val?: SetOptions;
  /** Subtract the training images' mean colour (default true). */
  subtractMean?: boolean;
  /** Seeds the jitter (default 0). */
  seed?: number;
  /** Decoding workers (default 1). */
  numThreads?: number;
  /** The decoding worker module (`@convnet-ts/images/browser-worker`). */
  workerUrl: URL | string;
  /** Called as the check reads images: done of total. */
  onCheck?: (done: number, total: number) => void;
}

export interface DatasetProblem {
  path: string;
  reason: ImageErrorReason;
  message: string;
}

export interface DroppedDataset {
  readonly imdb: ImageImdb;
  readonly size: number;
  /** Readable images of set 1 and 2. */
  readonly trainIndices: number[];
  readonly valIndices: number[];
  /** Images that did not decode, by path. */
  readonly problems: DatasetProblem[];
  /** Mean R, G, B of the readable training images' centre crops (0..255). */
  readonly averageColour: [number, number, number];
  getBatch(indices: readonly number[], backend: Backend, context?: DatasetContext): Promise<{ images: Tensor; labels: Float64Array }>;
  prefetch(indices: readonly number[], context?: DatasetContext): void;
  close(): void;
}

const CHECK_CHUNK = 32;
const WHERE = 'droppedFolderDataset';

export async function droppedFolderDataset(folder: DroppedFolder, opts: DroppedDatasetOptions): Promise<DroppedDataset> {
  if (typeof opts !== 'object' || opts === null || !Array.isArray(opts.resize) || opts.resize.length !== 2) {
    throw new OptionError(WHERE, 'resize', `resize must be the network input [H, W], got ${String(opts?.resize)}`);
  }
  const [H, W] = opts.resize;
  const base = opts.seed ?? 0;
  if (!Number.isInteger(base) || base < 0 || base > 0xffffffff) throw new OptionError(WHERE, 'seed', `seed must be an integer in 0..2^32 − 1, got ${String(base)}`);
  const { imdb, files } = folder;
  if (files.length !== imdb.images.name.length) throw new ValueError(WHERE, 'folder', `folder must hold one file per imdb image (${imdb.images.name.length}), got ${files.length}`);
  const checkOptions: ReadImagesOptions = { ...opts.val, subtractAverage: 0, resize: [H, W], pack: true, onError: 'skip' };
  parseReadOptions(WHERE, checkOptions);
  parseReadOptions(WHERE, { ...opts.train, resize: [H, W], pack: true });
  const reader = createImageReader({ numThreads: opts.numThreads ?? 1, workerUrl: opts.workerUrl });
  try {
    const problems: DatasetProblem[] = [];
    const bad = new Set<number>();
    const sum = [0, 0, 0];
    let pixels = 0;
    for (let at = 0; at < files.length; at += CHECK_CHUNK) {
      const chunk = files.slice(at, at + CHECK_CHUNK);
      const r = await reader.read(chunk, { ...checkOptions, seed: chunk.map((_, k) => imageSeed(base, 0, at + k)) });
      for (const s of r.skipped) {
        bad.add(at + s.index);
        problems.push({ path: imdb.images.name[at + s.index]!, reason: s.reason, message: s.message.split(s.source).join(imdb.images.name[at + s.index]!) });
      }
      r.indices.forEach((k, n) => {
        if (imdb.images.set[at + k] !== 1) return;
        const d = (r as PackedImages).data.subarray(n * H * W * 3, (n + 1) * H * W * 3);
        for (let p = 0; p < d.length; p += 3) for (let c = 0; c < 3; c++) sum[c]! += d[p + c]!;
        pixels += H * W;
      });
      opts.onCheck?.(Math.min(at + CHECK_CHUNK, files.length), files.length);
    }
    const averageColour = sum.map((s) => (pixels > 0 ? s / pixels : 0)) as [number, number, number];
    const average = opts.subtractMean === false ? 0 : averageColour;
    const setOptions = (set: number): ReadImagesOptions => ({ ...(set === 2 ? opts.val : opts.train), subtractAverage: average, resize: [H, W], pack: true });
    const indicesOf = (set: number) => imdb.images.set.flatMap((s, i) => (s === set && !bad.has(i) ? [i] : []));
    const pending = new Map<string, Prefetched>();
    const check = (indices: readonly number[]) => {
      const wrong = indices.find((i) => !Number.isInteger(i) || i < 0 || i >= files.length);
      if (wrong !== undefined || indices.length === 0) throw new ValueError(WHERE, 'indices', `indices must be a non-empty list of integers in 0..${files.length - 1}, got ${wrong ?? 'none'}`);
    };
    const keyOf = (indices: readonly number[], epoch: number) => `${epoch}:${indices.join(',')}`;
    const start = (indices: readonly number[], epoch: number): Prefetched => {
      check(indices);
      const seed = indices.map((i) => imageSeed(base, epoch, i));
      return reader.prefetch(
        indices.map((i) => files[i]!),
        { ...setOptions(imdb.images.set[indices[0]!]!), seed },
      );
    };
    return {
      imdb,
      size: files.length,
      trainIndices: indicesOf(1),
      valIndices: indicesOf(2),
      problems,
      averageColour,
      prefetch(indices, context) {
        const key = keyOf(indices, context?.epoch ?? 0);
        if (!pending.has(key)) pending.set(key, start(indices, context?.epoch ?? 0));
      },
      async getBatch(indices, backend, context) {
        const epoch = context?.epoch ?? 0;
        const key = keyOf(indices, epoch);
        const handle = pending.get(key) ?? start(indices, epoch);
        pending.delete(key);
        const result = (await handle.collect()) as PackedImages;
        return { images: backend.tensor(result.data, [indices.length, H, W, 3]), labels: Float64Array.from(indices, (i) => imdb.images.label[i]!) };
      },
      close: () => reader.close(),
    };
  } catch (err) {
    reader.close();
    throw err;
  }
}
