/**
 * The few file operations of checkpoints and plots, on Node's `fs`
 * (imported lazily, so the package still loads in a browser when no
 * `expDir` is given). Writes are atomic: the bytes go to `<path>.tmp`,
 * are flushed to disk, then renamed over `<path>`, so a kill at any moment
 * leaves either the old file or the complete new one, never a torn file.
 */
import type * as FsPromises from 'node:fs/promises';

let fsModule: Promise<typeof FsPromises> | null = null;
const fs = (): Promise<typeof FsPromises> => {
  fsModule ??= import('node:fs/promises');
  return fsModule;
};

/** The temporary name a file is written under before being renamed. */
export const tempName = (path: string): string => `${path}.tmp`;

/** Writes `data` to `path` atomically (temporary file, flush, rename). */
export async function writeAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const f = await fs();
  const tmp = tempName(path);
  const handle = await f.open(tmp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await f.rename(tmp, path);
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
