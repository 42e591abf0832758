/**
 * Image-folder datasets (torchvision's `ImageFolder`, MatConvNet's `imdb`):
 * `root/<class>/<image>`, one sub-folder per class.
 *
 * `scanImageFolder(root, opts)` gives the imdb: `images.name` (paths relative
 * to root, '/'-separated), `images.label` (1-based, classes in sorted
 * folder order, as `cnn_imagenet_setup_data`), `images.set` (1 train, 2 val:
 * `valFraction` of each class, chosen by a seeded shuffle) and
 * `meta.classes`. Files are PNG or JPEG by extension (`extensions`); others
 * are ignored; names sort by code point, so the order is the same everywhere.
 *
 * `imageFolderDataset(root, opts)` is a `BatchSource` for `@convnet-ts/train`:
 * `getBatch(indices, backend)` reads the images in worker threads with the
 * read options of the indices' set (`train` or `val`, as
 * `cnn_imagenet_get_batch`: e.g. random crops and flips for training, centre
 * crops for validation), packed `[N, H, W, 3]` (or `[N, H, W, 1]` with
 * `channels: 1`), labels from the imdb. `prefetch(indices)` starts reading a
 * batch that a later `getBatch` with the same indices collects — MatConvNet's
 * getBatch prefetch, so the next batch decodes while the current one trains.
 * Each read draws its jitter from `seed` and the number of reads so far, so a
 * run is reproducible.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Backend, OptionError, pcgHash, Rng, type Tensor, ValueError } from '@convnet-ts/tensor';
import { createImageReader, type NodeImageReader, type NodeReaderOptions } from './node.js';
import { parseReadOptions, type ReadImagesOptions } from './options.js';
import type { ImageList, PackedImages, Prefetched } from './reader.js';

export interface ImageFolderImdb {
  root: string;
  images: { name: string[]; label: number[]; set: number[] };
  meta: { classes: string[]; sets: ['train', 'val', 'test'] };
}

export interface ScanOptions {
  /** Fraction of each class put in the validation set (default 0). */
  valFraction?: number;
  /** Seeds the split (default 0). */
  seed?: number;
  /** File extensions read, case-insensitive (default .png, .jpg, .jpeg). */
  extensions?: readonly string[];
}

type SetOptions = Omit<ReadImagesOptions, 'resize' | 'pack' | 'numThreads' | 'prefetch' | 'seed' | 'onError'>;

export interface ImageFolderOptions extends ScanOptions, Omit<NodeReaderOptions, never> {
  /** The network's input `[H, W]` (vl_imreadjpeg's Resize). */
  resize: readonly [number, number];
  /** 3 (default), or 1: grey by MATLAB's rgb2gray weights (exactly the value for grey files). */
  channels?: 1 | 3;
  /** Read options for training images (set 1). */
  train?: SetOptions;
  /** Read options for validation images (set 2). */
  val?: SetOptions;
}

export interface ImageFolderDataset {
  readonly imdb: ImageFolderImdb;
  readonly size: number;
  /** Indices of set 1 and 2, for the trainer's `train` and `val` options. */
  readonly trainIndices: number[];
  readonly valIndices: number[];
  getBatch(indices: readonly number[], backend: Backend): Promise<{ images: Tensor; labels: Float64Array }>;
  prefetch(indices: readonly number[]): void;
  /** Stops the workers. */
  close(): void;
}

const DEFAULT_EXTENSIONS = ['.png', '.jpg', '.jpeg'];
const RGB2GRAY = [0.298936021293775, 0.587043074451121, 0.114020904255103] as const;
const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export async function scanImageFolder(root: string, opts: ScanOptions = {}): Promise<ImageFolderImdb> {
  const where = 'scanImageFolder';
  const valFraction = opts.valFraction ?? 0;
  if (typeof valFraction !== 'number' || !(valFraction >= 0 && valFraction < 1)) throw new OptionError(where, 'valFraction', `valFraction must be in [0, 1), got ${String(valFraction)}`);
  const exts = (opts.extensions ?? DEFAULT_EXTENSIONS).map((e) => e.toLowerCase());
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch (e) {
    throw new ValueError(where, 'root', `root must be a folder with one sub-folder per class, got ${root}: ${(e as Error).message}`);
  }
  const classes = entries.filter((d) => d.isDirectory() && !d.name.startsWith('.')).map((d) => d.name).sort(byCodePoint);
  if (classes.length === 0) throw new ValueError(where, 'root', `root must hold one sub-folder per class, got none in ${root}`);
  const rng = new Rng(opts.seed ?? 0);
  const images: ImageFolderImdb['images'] = { name: [], label: [], set: [] };
  for (const [c, cls] of classes.entries()) {
    const files = (await readdir(join(root, cls))).filter((f) => exts.some((e) => f.toLowerCase().endsWith(e))).sort(byCodePoint);
    const order = rng.randperm(files.length);
    const nVal = Math.round(valFraction * files.length);
    const isVal = new Set(Array.from(order.subarray(0, nVal), (k) => k - 1));
    files.forEach((f, k) => {
      images.name.push(`${cls}/${f}`);
      images.label.push(c + 1);
      images.set.push(isVal.has(k) ? 2 : 1);
    });
  }
  if (images.name.length === 0) throw new ValueError(where, 'root', `root's class folders must hold images (${exts.join(', ')}), got none in ${root}`);
  return { root, images, meta: { classes, sets: ['train', 'val', 'test'] } };
}

function toGrey(list: ImageList, H: number, W: number): Float32Array {
  const n = H * W;
  const out = new Float32Array(list.images.length * n);
  list.images.forEach((im, k) => {
    const d = im.data;
    for (let i = 0; i < n; i++) out[k * n + i] = im.channels === 1 ? d[i]! : RGB2GRAY[0] * d[3 * i]! + RGB2GRAY[1] * d[3 * i + 1]! + RGB2GRAY[2] * d[3 * i + 2]!;
  });
  return out;
}

export async function imageFolderDataset(root: string, opts: ImageFolderOptions): Promise<ImageFolderDataset> {
  const where = 'imageFolderDataset';
  if (typeof opts !== 'object' || opts === null || opts.resize === undefined) throw new OptionError(where, 'resize', 'resize must be the network input [H, W], got none');
  const known = ['resize', 'channels', 'train', 'val', 'valFraction', 'seed', 'extensions', 'numThreads', 'decoder', 'workerUrl'];
  for (const k of Object.keys(opts)) if (!known.includes(k)) throw new OptionError(where, k, `unknown option '${k}'; the options are ${known.join(', ')}`);
  const channels = opts.channels ?? 3;
  if (channels !== 1 && channels !== 3) throw new OptionError(where, 'channels', `channels must be 1 or 3, got ${String(channels)}`);
  const imdb = await scanImageFolder(root, opts);
  const [H, W] = opts.resize;
  const setOptions = (set: number): ReadImagesOptions => ({ ...(set === 2 ? opts.val : opts.train), resize: [H, W], pack: channels === 3 });
  // Both sets' options are checked now, so a bad option fails here rather than mid-training.
  parseReadOptions(where, setOptions(1));
  parseReadOptions(where, setOptions(2));
  const reader: NodeImageReader = await createImageReader({ numThreads: opts.numThreads ?? 1, decoder: opts.decoder ?? 'auto', ...(opts.workerUrl ? { workerUrl: opts.workerUrl } : {}) });
  const paths = imdb.images.name.map((n) => join(root, n));
  const base = opts.seed ?? 0;
  let reads = 0;
  const pending = new Map<string, Prefetched>();
  const check = (indices: readonly number[]) => {
    const bad = indices.find((i) => !Number.isInteger(i) || i < 0 || i >= paths.length);
    if (bad !== undefined || indices.length === 0) throw new ValueError(where, 'indices', `indices must be a non-empty list of integers in 0..${paths.length - 1}, got ${bad ?? 'none'}`);
  };
  const start = (indices: readonly number[]): Prefetched => {
    check(indices);
    const seed = pcgHash((base + reads++) >>> 0);
    return reader.prefetch(indices.map((i) => paths[i]!), { ...setOptions(imdb.images.set[indices[0]!]!), seed });
  };
  return {
    imdb,
    size: paths.length,
    trainIndices: imdb.images.set.flatMap((s, i) => (s === 1 ? [i] : [])),
    valIndices: imdb.images.set.flatMap((s, i) => (s === 2 ? [i] : [])),
    prefetch(indices) {
      const key = indices.join(',');
      if (!pending.has(key)) pending.set(key, start(indices));
    },
    async getBatch(indices, backend) {
      const key = indices.join(',');
      const handle = pending.get(key) ?? start(indices);
      pending.delete(key);
      const result = await handle.collect();
      const labels = Float64Array.from(indices, (i) => imdb.images.label[i]!);
      if (channels === 3) return { images: backend.tensor((result as PackedImages).data, [indices.length, H, W, 3]), labels };
      return { images: backend.tensor(toGrey(result as ImageList, H, W), [indices.length, H, W, 1]), labels };
    },
    close: () => reader.close(),
  };
}
