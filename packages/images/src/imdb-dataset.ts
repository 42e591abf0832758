/**
 * A `BatchSource` for `@convnet-ts/train` over an imdb of image files
 * (`image-folder.ts`, `list-file.ts`): `getBatch(indices, backend, context)`
 * reads the images in worker threads with the read options of the indices'
 * set (`train` or `val`, as `cnn_imagenet_get_batch`: e.g. random crops and
 * flips for training, centre crops for validation), packed `[N, H, W, 3]`
 * (or `[N, H, W, 1]` with `channels: 1`), labels from the imdb.
 * `prefetch(indices, context)` starts reading a batch that a later
 * `getBatch` with the same indices and epoch collects — MatConvNet's getBatch
 * prefetch, which the trainer calls with the next sub-batch.
 *
 * Jitter seeds: image i read in epoch e draws from
 * `pcg(pcg(pcg(seed) + e) + i)` (`imageSeed`), so its crop, flip and colour
 * depend only on (seed, epoch, i) — not on the batch, the order, or how many
 * reads came before — and a resumed run (`continue`) sees the same jitter
 * as an uninterrupted one. Without a context (a direct call) e is 0.
 */
import { isAbsolute, join } from 'node:path';
import { type Backend, OptionError, type Tensor, ValueError } from '@convnet-ts/tensor';
import { createImageReader, type NodeImageReader, type NodeReaderOptions } from './node.js';
import { parseReadOptions, type ReadImagesOptions } from './options.js';
import type { ImageList, PackedImages, Prefetched } from './reader.js';
import { imageSeed } from './split.js';

export { imageSeed, valSplit } from './split.js';

/** MatConvNet's imdb of image files: names relative to `root` (or absolute), labels 1..C, sets 1 train / 2 val. */
export interface ImageImdb {
  root: string;
  images: { name: string[]; label: number[]; set: number[] };
  meta: { classes: string[]; sets: ['train', 'val', 'test'] };
}

export type SetOptions = Omit<ReadImagesOptions, 'resize' | 'pack' | 'numThreads' | 'prefetch' | 'seed' | 'onError'>;

export interface DatasetOptions extends NodeReaderOptions {
  /** The network's input `[H, W]` (vl_imreadjpeg's Resize). */
  resize: readonly [number, number];
  /** 3 (default), or 1: grey by MATLAB's rgb2gray weights (exactly the value for grey files). */
  channels?: 1 | 3;
  /** Read options for training images (set 1). */
  train?: SetOptions;
  /** Read options for validation images (set 2). */
  val?: SetOptions;
  /** Seeds the split and the jitter (default 0). */
  seed?: number;
}

/** What the trainer passes (`@convnet-ts/train`'s BatchContext). */
export interface DatasetContext {
  epoch: number;
}

export interface ImageDataset {
  readonly imdb: ImageImdb;
  readonly size: number;
  /** Indices of set 1 and 2, for the trainer's `train` and `val` options. */
  readonly trainIndices: number[];
  readonly valIndices: number[];
  getBatch(indices: readonly number[], backend: Backend, context?: DatasetContext): Promise<{ images: Tensor; labels: Float64Array }>;
  prefetch(indices: readonly number[], context?: DatasetContext): void;
  /** Stops the workers. */
  close(): void;
}

export const DATASET_OPTIONS = ['resize', 'channels', 'train', 'val', 'seed', 'numThreads', 'decoder', 'workerUrl'] as const;

const RGB2GRAY = [0.298936021293775, 0.587043074451121, 0.114020904255103] as const;

function toGrey(list: ImageList, H: number, W: number): Float32Array {
  const n = H * W;
  const out = new Float32Array(list.images.length * n);
  list.images.forEach((im, k) => {
    const d = im.data;
    for (let i = 0; i < n; i++) out[k * n + i] = im.channels === 1 ? d[i]! : RGB2GRAY[0] * d[3 * i]! + RGB2GRAY[1] * d[3 * i + 1]! + RGB2GRAY[2] * d[3 * i + 2]!;
  });
  return out;
}

/** Checks `opts` (known names given by the caller) and both sets' read options, then starts the workers. */
export async function imdbDataset(where: string, imdb: ImageImdb, opts: DatasetOptions): Promise<ImageDataset> {
  const channels = opts.channels ?? 3;
  if (channels !== 1 && channels !== 3) throw new OptionError(where, 'channels', `channels must be 1 or 3, got ${String(channels)}`);
  const [H, W] = opts.resize;
  const setOptions = (set: number): ReadImagesOptions => ({ ...(set === 2 ? opts.val : opts.train), resize: [H, W], pack: channels === 3 });
  // Both sets' options are checked now, so a bad option fails here rather than mid-training.
  parseReadOptions(where, setOptions(1));
  parseReadOptions(where, setOptions(2));
  const base = opts.seed ?? 0;
  if (!Number.isInteger(base) || base < 0 || base > 0xffffffff) throw new OptionError(where, 'seed', `seed must be an integer in 0..2^32 − 1, got ${String(base)}`);
  const reader: NodeImageReader = await createImageReader({ numThreads: opts.numThreads ?? 1, decoder: opts.decoder ?? 'auto', ...(opts.workerUrl ? { workerUrl: opts.workerUrl } : {}) });
  const paths = imdb.images.name.map((n) => (isAbsolute(n) ? n : join(imdb.root, n)));
  const pending = new Map<string, Prefetched>();
  const check = (indices: readonly number[]) => {
    const bad = indices.find((i) => !Number.isInteger(i) || i < 0 || i >= paths.length);
    if (bad !== undefined || indices.length === 0) throw new ValueError(where, 'indices', `indices must be a non-empty list of integers in 0..${paths.length - 1}, got ${bad ?? 'none'}`);
  };
  const epochOf = (context: DatasetContext | undefined) => context?.epoch ?? 0;
  const keyOf = (indices: readonly number[], epoch: number) => `${epoch}:${indices.join(',')}`;
  const start = (indices: readonly number[], epoch: number): Prefetched => {
    check(indices);
    const seed = indices.map((i) => imageSeed(base, epoch, i));
    return reader.prefetch(indices.map((i) => paths[i]!), { ...setOptions(imdb.images.set[indices[0]!]!), seed });
  };
  return {
    imdb,
    size: paths.length,
    trainIndices: imdb.images.set.flatMap((s, i) => (s === 1 ? [i] : [])),
    valIndices: imdb.images.set.flatMap((s, i) => (s === 2 ? [i] : [])),
    prefetch(indices, context) {
      const key = keyOf(indices, epochOf(context));
      if (!pending.has(key)) pending.set(key, start(indices, epochOf(context)));
    },
    async getBatch(indices, backend, context) {
      const key = keyOf(indices, epochOf(context));
      const handle = pending.get(key) ?? start(indices, epochOf(context));
      pending.delete(key);
      const result = await handle.collect();
      const labels = Float64Array.from(indices, (i) => imdb.images.label[i]!);
      if (channels === 3) return { images: backend.tensor((result as PackedImages).data, [indices.length, H, W, 3]), labels };
      return { images: backend.tensor(toGrey(result as ImageList, H, W), [indices.length, H, W, 1]), labels };
    },
    close: () => reader.close(),
  };
}
