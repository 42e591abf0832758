import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { OptionError, ValueError } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { imageFolderDataset, listFileDataset, readListFile } from './node.js';
import { pattern, pngBytes, tempDir } from './test-images.js';

const backend = createCpuBackend();

/** a/x0.png … (8×8 RGB patterns), and a list file naming them with comments, blank lines and a path with a space. */
function makeList(): { root: string; list: string } {
  const root = tempDir();
  mkdirSync(join(root, 'cats'));
  mkdirSync(join(root, 'dogs'));
  const names = ['cats/c0.png', 'cats/c 1.png', 'cats/c2.png', 'dogs/d0.png', 'dogs/d1.png', 'dogs/d2.png'];
  names.forEach((n, k) => {
    writeFileSync(join(root, n), pngBytes(8, 8, 3, pattern(8, 8, 3).map((v) => (v + 31 * k) % 256)));
  });
  const list = join(root, 'train.txt');
  writeFileSync(list, ['# path label', 'dogs/d0.png 2', '', 'cats/c0.png\t1', 'cats/c 1.png   1', '  dogs/d1.png 2  ', 'cats/c2.png 1', 'dogs/d2.png 2', ''].join('\n'));
  return { root, list };
}

describe('list-file datasets', () => {
  const { root, list } = makeList();

  it('reads path-label lines relative to the file, 1-based labels, comments and blank lines skipped', async () => {
    const imdb = await readListFile(list);
    expect(imdb.root).toBe(root);
    expect(imdb.images.name).toEqual(['dogs/d0.png', 'cats/c0.png', 'cats/c 1.png', 'dogs/d1.png', 'cats/c2.png', 'dogs/d2.png']);
    expect(imdb.images.label).toEqual([2, 1, 1, 2, 1, 2]);
    expect(imdb.images.set).toEqual([1, 1, 1, 1, 1, 1]);
    expect(imdb.meta.classes).toEqual(['1', '2']);
    expect((await readListFile(list, { classes: ['cat', 'dog'] })).meta.classes).toEqual(['cat', 'dog']);
    const split = await readListFile(list, { valFraction: 0.34, seed: 2 });
    for (const label of [1, 2]) expect(split.images.set.filter((s, i) => s === 2 && split.images.label[i] === label)).toHaveLength(1);
    expect((await readListFile(list, { valFraction: 0.34, seed: 2 })).images.set).toEqual(split.images.set);
  });

  it("gives the image folder's batches for the same files, jitter included (same seed, epoch and index)", async () => {
    // the folder's order is cats/c 1, cats/c0, cats/c2, dogs/d0, … (code points); a list in that order has the same indices
    const ordered = join(root, 'ordered.txt');
    writeFileSync(ordered, 'cats/c 1.png 1\ncats/c0.png 1\ncats/c2.png 1\ndogs/d0.png 2\ndogs/d1.png 2\ndogs/d2.png 2\n');
    const opts = { resize: [6, 6] as [number, number], train: { cropSize: [0.6, 1] as [number, number], cropLocation: 'random' as const, flip: true }, seed: 4 };
    const fromList = await listFileDataset(ordered, opts);
    const fromFolder = await imageFolderDataset(root, opts);
    try {
      const a = await fromList.getBatch([0, 4, 5], backend, { epoch: 3 });
      const b = await fromFolder.getBatch([0, 4, 5], backend, { epoch: 3 });
      expect(Array.from(a.labels)).toEqual([1, 2, 2]);
      expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
      expect(Array.from(await a.images.data())).toEqual(Array.from(await b.images.data()));
      expect(fromList.imdb.meta.classes).toEqual(['1', '2']);
    } finally {
      fromList.close();
      fromFolder.close();
    }
  });

  it('bad lines, labels, files and options are typed errors naming the file and line', async () => {
    const bad = async (text: string, message: string, classes?: string[]) => {
      const f = join(root, 'bad.txt');
      writeFileSync(f, text);
      await expect(readListFile(f, classes ? { classes } : {})).rejects.toThrow(message);
    };
    await bad('cats/c0.png\n', `readListFile: ${join(root, 'bad.txt')} line 1 must be 'path label' with a label 1, 2, …, got 'cats/c0.png'`);
    await bad('# x\ncats/c0.png 0\n', "line 2 must be 'path label' with a label 1, 2, …, got 'cats/c0.png 0'");
    await bad('cats/c0.png cat\n', "got 'cats/c0.png cat'");
    await bad('cats/c0.png 3\n', 'line 1 must have a label in 1..2 (the classes given), got 3', ['a', 'b']);
    await bad('# only a comment\n', "must list at least one 'path label' line, got none");
    await expect(readListFile(join(root, 'none.txt'))).rejects.toThrow(ValueError);
    await expect(readListFile(list, { valFraction: 1 })).rejects.toThrow('readListFile: valFraction must be in [0, 1), got 1');
    await expect(listFileDataset(list, { resize: [4, 4], extensions: ['.png'] } as never)).rejects.toThrow(OptionError);
    await expect(listFileDataset(list, {} as never)).rejects.toThrow('listFileDataset: resize must be the network input [H, W], got none');
    // a listed file that is missing fails when its batch is read, naming it
    const missing = join(root, 'missing.txt');
    writeFileSync(missing, 'cats/gone.png 1\n');
    const data = await listFileDataset(missing, { resize: [4, 4] });
    try {
      await expect(data.getBatch([0], backend)).rejects.toThrow('gone.png');
    } finally {
      data.close();
    }
  });
});
