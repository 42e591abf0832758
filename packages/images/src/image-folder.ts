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
 * `imageFolderDataset(root, opts)` is a `BatchSource` for `@convnet-ts/train`
 * over that imdb (`imdb-dataset.ts`: per-set read options in worker threads,
 * prefetch, jitter keyed by (seed, epoch, image)).
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { OptionError, ValueError } from '@convnet-ts/tensor';
import { DATASET_OPTIONS, type DatasetOptions, type ImageDataset, type ImageImdb, imdbDataset, valSplit } from './imdb-dataset.js';

export type ImageFolderImdb = ImageImdb;
export type ImageFolderDataset = ImageDataset;

export interface ScanOptions {
  /** Fraction of each class put in the validation set (default 0). */
  valFraction?: number;
  /** Seeds the split (default 0). */
  seed?: number;
  /** File extensions read, case-insensitive (default .png, .jpg, .jpeg). */
  extensions?: readonly string[];
}

export type ImageFolderOptions = ScanOptions & DatasetOptions;

const DEFAULT_EXTENSIONS = ['.png', '.jpg', '.jpeg'];
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
  const images: ImageFolderImdb['images'] = { name: [], label: [], set: [] };
  for (const [c, cls] of classes.entries()) {
    const files = (await readdir(join(root, cls))).filter((f) => exts.some((e) => f.toLowerCase().endsWith(e))).sort(byCodePoint);
    for (const f of files) {
      images.name.push(`${cls}/${f}`);
      images.label.push(c + 1);
    }
  }
  images.set = valSplit(images.label, classes.length, valFraction, opts.seed ?? 0);
  if (images.name.length === 0) throw new ValueError(where, 'root', `root's class folders must hold images (${exts.join(', ')}), got none in ${root}`);
  return { root, images, meta: { classes, sets: ['train', 'val', 'test'] } };
}

export async function imageFolderDataset(root: string, opts: ImageFolderOptions): Promise<ImageFolderDataset> {
  const where = 'imageFolderDataset';
  if (typeof opts !== 'object' || opts === null || opts.resize === undefined) throw new OptionError(where, 'resize', 'resize must be the network input [H, W], got none');
  const known: string[] = [...DATASET_OPTIONS, 'valFraction', 'extensions'];
  for (const k of Object.keys(opts)) if (!known.includes(k)) throw new OptionError(where, k, `unknown option '${k}'; the options are ${known.join(', ')}`);
  return imdbDataset(where, await scanImageFolder(root, opts), opts);
}
