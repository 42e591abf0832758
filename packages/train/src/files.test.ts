import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { writeAtomic } from './files.js';

// Records every file and folder `writeAtomic` opens and every handle it flushes.
const opened: { path: string; flags: string; synced: boolean }[] = [];
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...real,
    open: async (path: string, flags: string) => {
      const handle = await real.open(path, flags);
      const entry = { path: String(path), flags, synced: false };
      opened.push(entry);
      const sync = handle.sync.bind(handle);
      handle.sync = async () => {
        entry.synced = true;
        await sync();
      };
      return handle;
    },
  };
});

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('writeAtomic (issue 13 item 11)', () => {
  it('flushes the folder after the rename', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'convnet-ts-files-'));
    dirs.push(dir);
    opened.length = 0;
    await writeAtomic(join(dir, 'a.bin'), 'hello');
    expect(opened.map((o) => [o.path === dir ? 'dir' : o.path.endsWith('.tmp') ? 'tmp' : o.path, o.synced])).toEqual([
      ['tmp', true],
      ['dir', true],
    ]);
    expect(await readFile(join(dir, 'a.bin'), 'utf8')).toBe('hello');
  });

  it('two writers of one file (two trainers in one folder) never share a temporary file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'convnet-ts-files-'));
    dirs.push(dir);
    const contents = Array.from({ length: 8 }, (_, i) => `writer ${i} `.repeat(10_000));
    await Promise.all(contents.map((c) => writeAtomic(join(dir, 'net-epoch-1.ctsnet'), c)));
    expect(contents).toContain(await readFile(join(dir, 'net-epoch-1.ctsnet'), 'utf8'));
    expect(await readdir(dir)).toEqual(['net-epoch-1.ctsnet']);
  });
});
