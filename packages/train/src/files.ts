/**
 * The few file operations of checkpoints and plots, on Node's `fs`. This
 * module imports no `node:` module, so the main entry bundles for browsers:
 * `@convnet-ts/train/node` (which plain Node loads for `@convnet-ts/train`,
 * by the "node" export condition) installs Node's `fs/promises`, imported
 * lazily on first use; without it, `expDir` and the checkpoint functions
 * throw a `ValueError` that says so. Writes are atomic: the bytes go to a
 * temporary file of a name unique to this write
 * (`<path>.<pid>-<counter>-<random>.tmp`, so two trainers writing into one
 * folder never share one), are flushed to disk, then renamed over `<path>`,
 * and the folder itself is flushed so the rename survives a power cut; a kill
 * at any moment leaves either the old file or the complete new one, never a
 * torn file.
 */
import type * as FsPromises from 'node:fs/promises';
import { ValueError } from '@convnet-ts/tensor';

/** The part of Node's `fs/promises` the trainer uses. */
export type TrainFileSystem = Pick<typeof FsPromises, 'open' | 'rename' | 'rm' | 'readFile' | 'mkdir' | 'readdir' | 'stat'>;

let provider: (() => Promise<TrainFileSystem>) | null = null;
let fsModule: Promise<TrainFileSystem> | null = null;

/** Sets where files are read and written (`null`: nowhere); `node.ts` sets Node's `fs/promises`. */
export function useFileSystem(load: (() => Promise<TrainFileSystem>) | null): void {
  provider = load;
  fsModule = null;
}

const fs = (): Promise<TrainFileSystem> => {
  if (provider === null) {
    return Promise.reject(
      new ValueError(
        'train',
        'expDir',
        "checkpoints and plots need a file system, and none is installed: in Node import '@convnet-ts/train/node' (Node itself resolves '@convnet-ts/train' to it; a bundle for Node must import the /node entry); in a browser leave expDir unset",
      ),
    );
  }
  fsModule ??= provider();
  return fsModule;
};

let writes = 0;
const pid = (): number => (globalThis as { process?: { pid?: number } }).process?.pid ?? 0;

/** A temporary name for one write of `path`, unique to this process and call. */
export const tempName = (path: string): string => `${path}.${pid()}-${++writes}-${Math.random().toString(36).slice(2, 10)}.tmp`;

/** The folder of `path` ('.' when it has none). */
const dirOf = (path: string): string => {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i < 0 ? '.' : i === 0 ? '/' : path.slice(0, i);
};

/** Flushes a folder's entries (the rename) to disk; platforms that cannot open a folder for that (Windows) skip it. */
async function syncDir(f: TrainFileSystem, dir: string): Promise<void> {
  let handle: FsPromises.FileHandle;
  try {
    handle = await f.open(dir, 'r');
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'EISDIR' || code === 'EPERM' || code === 'EACCES') return;
    throw e;
  }
  try {
    await handle.sync();
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code !== 'EINVAL' && code !== 'EPERM' && code !== 'EBADF') throw e;
  } finally {
    await handle.close();
  }
}

/** Writes `data` to `path` atomically (unique temporary file, flush, rename, flush of the folder). */
export async function writeAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const f = await fs();
  const tmp = tempName(path);
  const handle = await f.open(tmp, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (e) {
    await handle.close();
    await f.rm(tmp, { force: true });
    throw e;
  }
  await handle.close();
  await f.rename(tmp, path);
  await syncDir(f, dirOf(path));
}

export async function readBytes(path: string): Promise<Uint8Array> {
  const f = await fs();
  const b = await f.readFile(path);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Creates the folder (and its parents) if missing. */
export async function ensureDir(dir: string): Promise<void> {
  await (await fs()).mkdir(dir, { recursive: true });
}

/** File names in `dir` ([] when it does not exist). */
export async function listDir(dir: string): Promise<string[]> {
  try {
    return await (await fs()).readdir(dir);
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return [];
    throw e;
  }
}

export async function exists(path: string): Promise<boolean> {
  try {
    await (await fs()).stat(path);
    return true;
  } catch {
    return false;
  }
}

/** `dir/name` with a single separator. */
export const joinPath = (dir: string, name: string): string => `${dir.replace(/[\\/]+$/, '')}/${name}`;
