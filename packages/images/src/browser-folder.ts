/**
 * A class-per-folder tree of images given to a page: dropped onto it
 * (`filesFromDataTransfer`: `DataTransferItem.webkitGetAsEntry()`,
 * recursing into folders) or picked with `<input type=file webkitdirectory
 * multiple>` (`filesFromInput`: `File.webkitRelativePath`), as
 * `{ path, file }` pairs with '/'-separated paths.
 *
 * `scanDroppedFiles(files, opts)` is `scanImageFolder` for those pairs:
 * a folder shared by every path (the one the user dropped) is taken off,
 * the first folder left is the class; classes in code-point order get the
 * 1-based labels, images in each class sort by path, `images.set` splits
 * `valFraction` of each class off as validation (set 2) by a seeded
 * shuffle (`valSplit`). Files whose names are not PNG or JPEG, hidden files
 * and files outside a class folder are not images of the set: each is listed
 * in `ignored` with the reason, never dropped silently.
 */
import { OptionError, ValueError } from '@convnet-ts/tensor';
import type { ImageImdb } from './imdb-dataset.js';
import { valSplit } from './split.js';

/** A file given to the page and its path below what was dropped or picked ('photos/cat/1.jpg'). */
export interface DroppedFile {
  path: string;
  file: File;
}

export interface IgnoredFile {
  path: string;
  reason: string;
}

/** An imdb over dropped files: `images.name[i]` is the path of `files[i]`; `root` is the folder taken off ('' if none). */
export interface DroppedFolder {
  imdb: ImageImdb;
  files: File[];
  /** Images per class, in `meta.classes` order. */
  counts: number[];
  ignored: IgnoredFile[];
}

export interface DroppedScanOptions {
  /** Fraction of each class put in the validation set (default 0). */
  valFraction?: number;
  /** Seeds the split (default 0). */
  seed?: number;
  /** File extensions read, case-insensitive (default .png, .jpg, .jpeg). */
  extensions?: readonly string[];
}

const DEFAULT_EXTENSIONS = ['.png', '.jpg', '.jpeg'];
const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The files of an `<input type=file webkitdirectory>` (or any FileList), each at its `webkitRelativePath` (its name when that is empty). */
export function filesFromInput(files: FileList | readonly File[]): DroppedFile[] {
  return Array.from(files, (file) => ({ path: file.webkitRelativePath || file.name, file }));
}

function readAll(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  // readEntries hands out a folder's entries in chunks (100 in Chromium) until it returns none.
  const all: FileSystemEntry[] = [];
  return new Promise((resolve, reject) => {
    const next = () =>
      reader.readEntries((chunk) => {
        if (chunk.length === 0) resolve(all);
        else {
          all.push(...chunk);
          next();
        }
      }, reject);
    next();
  });
}

async function walk(entry: FileSystemEntry, out: DroppedFile[]): Promise<void> {
  const path = entry.fullPath.replace(/^\/+/, '');
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    out.push({ path, file });
  } else if (entry.isDirectory) {
    for (const child of await readAll((entry as FileSystemDirectoryEntry).createReader())) await walk(child, out);
  }
}

/**
 * The files of a drop, folders walked recursively. Call it in the `drop`
 * handler before any `await`: the browser empties `dataTransfer.items` when
 * the handler returns. Without entry support, the dropped files themselves.
 */
export function filesFromDataTransfer(dataTransfer: DataTransfer): Promise<DroppedFile[]> {
  const items = Array.from(dataTransfer.items ?? []).filter((i) => i.kind === 'file');
  const entries = items.map((i) => (typeof i.webkitGetAsEntry === 'function' ? i.webkitGetAsEntry() : null));
  if (entries.length === 0 || entries.some((e) => e === null)) return Promise.resolve(filesFromInput(dataTransfer.files));
  const out: DroppedFile[] = [];
  return (async () => {
    for (const e of entries as FileSystemEntry[]) await walk(e, out);
    return out;
  })();
}

export function scanDroppedFiles(files: readonly DroppedFile[], opts: DroppedScanOptions = {}): DroppedFolder {
  const where = 'scanDroppedFiles';
  const valFraction = opts.valFraction ?? 0;
  if (typeof valFraction !== 'number' || !(valFraction >= 0 && valFraction < 1)) throw new OptionError(where, 'valFraction', `valFraction must be in [0, 1), got ${String(valFraction)}`);
  const exts = (opts.extensions ?? DEFAULT_EXTENSIONS).map((e) => e.toLowerCase());
  const split = files.map((f) => f.path.split('/').filter((p) => p !== ''));
  // Take off the folders every path shares while some path still has a class folder and a file below them.
  let common = 0;
  const shared = (k: number) => split.every((p) => p.length >= k + 2 && p[k] === split[0]![k]);
  while (split.length > 0 && shared(common) && split.some((p) => p.length >= common + 3)) common++;
  const root = split[0]?.slice(0, common).join('/') ?? '';
  const ignored: IgnoredFile[] = [];
  const images: { cls: string; path: string; file: File }[] = [];
  split.forEach((parts, i) => {
    const path = files[i]!.path;
    const rest = parts.slice(common);
    const name = rest[rest.length - 1] ?? '';
    if (rest.some((p) => p.startsWith('.'))) ignored.push({ path, reason: 'hidden file or folder' });
    else if (!exts.some((e) => name.toLowerCase().endsWith(e))) ignored.push({ path, reason: `not a ${exts.join(' / ')} file name` });
    else if (rest.length < 2) ignored.push({ path, reason: 'not inside a class folder' });
    else images.push({ cls: rest[0]!, path, file: files[i]!.file });
  });
  const classes = [...new Set(images.map((m) => m.cls))].sort(byCodePoint);
  if (classes.length === 0) {
    const seen = files.length === 0 ? 'no files' : `${files.length} files, none a PNG or JPEG image inside a class folder`;
    throw new ValueError(where, 'files', `files must be a folder with one sub-folder of PNG or JPEG images per class, got ${seen}`);
  }
  images.sort((a, b) => byCodePoint(a.cls, b.cls) || byCodePoint(a.path, b.path));
  const label = images.map((m) => classes.indexOf(m.cls) + 1);
  const counts = classes.map((_, c) => label.filter((l) => l === c + 1).length);
  return {
    imdb: {
      root,
      images: { name: images.map((m) => m.path), label, set: valSplit(label, classes.length, valFraction, opts.seed ?? 0) },
      meta: { classes, sets: ['train', 'val', 'test'] },
    },
    files: images.map((m) => m.file),
    counts,
    ignored,
  };
}
