import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValueError } from '@convnet-ts/tensor';
import { afterAll, describe, expect, it } from 'vitest';
import { newestCheckpoint } from './checkpoint.js';
import { useFileSystem } from './files.js';

const dir = await mkdtemp(join(tmpdir(), 'convnet-ts-train-node-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('the file system of checkpoints', () => {
  it('is Node’s once the /node entry is loaded (the test setup loads it)', async () => {
    expect(await newestCheckpoint(dir)).toBe(0);
  });

  it('is missing in the main entry alone, and then checkpoints fail with what to import', async () => {
    useFileSystem(null);
    try {
      await expect(newestCheckpoint(dir)).rejects.toThrow(ValueError);
      await expect(newestCheckpoint(dir)).rejects.toThrow(
        "train: checkpoints and plots need a file system, and none is installed: in Node import '@convnet-ts/train/node'",
      );
    } finally {
      useFileSystem(() => import('node:fs/promises'));
    }
    expect(await newestCheckpoint(dir)).toBe(0);
  });
});
