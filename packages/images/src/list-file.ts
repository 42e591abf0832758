/**
 * List-file datasets (Caffe's `ImageData` list, MatConvNet's imdb from a
 * text file): one image per line, `path label`, the path relative to the
 * list file's folder (or absolute), the label a 1-based class number after
 * the last run of spaces or tabs (so paths may hold spaces); blank lines and
 * lines starting with `#` are skipped.
 *
 * `readListFile(file, opts)` gives the imdb (`root` the file's folder;
 * `meta.classes` the given `classes` or '1'…'C' for C the largest label;
 * `images.set` from `valFraction` per class, seeded, as the image folder's).
 * `listFileDataset(file, opts)` is the trainer's `BatchSource` over it, with
 * `imageFolderDataset`'s options and outputs (`imdb-dataset.ts`).
 */
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { OptionError, ValueError } from '@convnet-ts/tensor';
import { DATASET_OPTIONS, type DatasetOptions, type ImageDataset, type ImageImdb, imdbDataset, valSplit } from './imdb-dataset.js';

export interface ListFileScanOptions {
  /** Fraction of each class put in the validation set (default 0). */
  valFraction?: number;
  /** Seeds the split (default 0). */
  seed?: number;
  /** Class names, label k naming `classes[k − 1]`; labels must not exceed their number. */
  classes?: readonly string[];
}

export type ListFileOptions = ListFileScanOptions & DatasetOptions;

export async function readListFile(file: string, opts: ListFileScanOptions = {}): Promise<ImageImdb> {
  const where = 'readListFile';
  const valFraction = opts.valFraction ?? 0;
  if (typeof valFraction !== 'number' || !(valFraction >= 0 && valFraction < 1)) throw new OptionError(where, 'valFraction', `valFraction must be in [0, 1), got ${String(valFraction)}`);
  if (opts.classes !== undefined && (!Array.isArray(opts.classes) || opts.classes.length === 0 || !opts.classes.every((c) => typeof c === 'string'))) {
    throw new OptionError(where, 'classes', `classes must be a non-empty array of names, got ${JSON.stringify(opts.classes)}`);
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ValueError(where, 'file', `file must be a readable list of 'path label' lines, got ${file}: ${(e as Error).message}`);
  }
  const images: ImageImdb['images'] = { name: [], label: [], set: [] };
  text.split(/\r?\n/).forEach((raw, k) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^(.*\S)\s+(\S+)$/.exec(line);
    const label = m ? Number(m[2]) : Number.NaN;
    if (!m || !Number.isInteger(label) || label < 1) {
      throw new ValueError(where, 'file', `${file} line ${k + 1} must be 'path label' with a label 1, 2, …, got '${line}'`);
    }
    if (opts.classes && label > opts.classes.length) {
      throw new ValueError(where, 'file', `${file} line ${k + 1} must have a label in 1..${opts.classes.length} (the classes given), got ${label}`);
    }
    images.name.push(m[1]!);
    images.label.push(label);
  });
  if (images.name.length === 0) throw new ValueError(where, 'file', `${file} must list at least one 'path label' line, got none`);
  const numClasses = opts.classes?.length ?? images.label.reduce((a, b) => Math.max(a, b), 0);
  images.set = valSplit(images.label, numClasses, valFraction, opts.seed ?? 0);
  const classes = opts.classes ? [...opts.classes] : Array.from({ length: numClasses }, (_, c) => String(c + 1));
  return { root: dirname(file), images, meta: { classes, sets: ['train', 'val', 'test'] } };
}

export async function listFileDataset(file: string, opts: ListFileOptions): Promise<ImageDataset> {
  const where = 'listFileDataset';
  if (typeof opts !== 'object' || opts === null || opts.resize === undefined) throw new OptionError(where, 'resize', 'resize must be the network input [H, W], got none');
  const known: string[] = [...DATASET_OPTIONS, 'valFraction', 'classes'];
  for (const k of Object.keys(opts)) if (!known.includes(k)) throw new OptionError(where, k, `unknown option '${k}'; the options are ${known.join(', ')}`);
  return imdbDataset(where, await readListFile(file, opts), opts);
}
