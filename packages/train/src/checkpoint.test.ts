import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSimpleNN } from '@convnet-ts/simplenn';
import { afterAll, describe, expect, it } from 'vitest';
import { netFile, stateFile } from './checkpoint.js';
import { cpu32, stripes, tinyNet, weightsOf } from './test-helpers.js';
import { PLOT_FILE, train } from './train.js';
import type { TrainOptions } from './options.js';

const dirs: string[] = [];
async function freshDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'convnet-ts-train-'));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const data = stripes(60);
const base: TrainOptions = { batchSize: 10, learningRate: 0.05, val: [0, 1, 2, 3, 4, 5], randomSeed: 3 };

describe('checkpoints', () => {
  for (const solver of ['sgd', 'adam'] as const) {
    it(`${solver}: 2 epochs + resume 1 equals 3 epochs straight, bit for bit`, async () => {
      const opts = { ...base, solver, nesterovUpdate: solver === 'sgd' };
      const straight = await train(tinyNet(cpu32, { bnorm: true }), data, { ...opts, numEpochs: 3, expDir: await freshDir() });
      const dir = await freshDir();
      await train(tinyNet(cpu32, { bnorm: true }), data, { ...opts, numEpochs: 2, expDir: dir });
      expect((await readdir(dir)).sort()).toEqual([netFile(1), stateFile(1), netFile(2), stateFile(2), PLOT_FILE].sort());
      // A different initial network: resume must replace every weight from the checkpoint.
      const resumed = await train(tinyNet(cpu32, { bnorm: true, seed: 99 }), data, { ...opts, numEpochs: 3, expDir: dir, continue: true });
      expect(weightsOf(resumed.net)).toEqual(weightsOf(straight.net));
      expect(resumed.stats.map((s) => s.val!.objective)).toEqual(straight.stats.map((s) => s.val!.objective));
      const saved = loadSimpleNN(new Uint8Array(await readFile(join(dir, netFile(3)))), cpu32);
      expect(weightsOf(saved)).toEqual(weightsOf(straight.net));
    });
  }

  it('ignores a leftover temporary file and writes an SVG plot', async () => {
    const dir = await freshDir();
    await train(tinyNet(cpu32), data, { ...base, numEpochs: 1, expDir: dir });
    await writeFile(join(dir, `${netFile(2)}.tmp`), 'half-written');
    const seen: number[] = [];
    const r = await train(tinyNet(cpu32), data, { ...base, numEpochs: 2, expDir: dir, continue: true, onEpoch: (e) => seen.push(e) });
    expect(seen).toEqual([2]);
    expect(r.stats.map((s) => s.epoch)).toEqual([1, 2]);
    const svg = await readFile(join(dir, PLOT_FILE), 'utf8');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    for (const title of ['objective', 'top1err', 'top5err']) expect(svg).toContain(`>${title}</text>`);
    expect(svg.match(/<polyline class="val"/g)).toHaveLength(3);
  });

  it('fails clearly on a corrupt newest checkpoint and deletes nothing', async () => {
    const dir = await freshDir();
    await train(tinyNet(cpu32), data, { ...base, numEpochs: 2, expDir: dir });
    const path = join(dir, netFile(2));
    const bytes = await readFile(path);
    bytes[bytes.length - 10]! ^= 0xff;
    await writeFile(path, bytes);
    const before = (await readdir(dir)).sort();
    await expect(train(tinyNet(cpu32), data, { ...base, numEpochs: 3, expDir: dir, continue: true })).rejects.toThrow(
      new RegExp(`^train: checkpoint .*${netFile(2)} must be complete and valid to continue, got an error: decodeModelFile: checksum must be .*nothing was deleted`),
    );
    expect((await readdir(dir)).sort()).toEqual(before);
    await rm(join(dir, stateFile(2)));
    await expect(train(tinyNet(cpu32), data, { ...base, numEpochs: 3, expDir: dir, continue: true })).rejects.toThrow(
      `${stateFile(2)} must be complete and valid to continue, got no state file (only partially saved)`,
    );
  });

  it('refuses to resume with another solver', async () => {
    const dir = await freshDir();
    await train(tinyNet(cpu32), data, { ...base, numEpochs: 1, expDir: dir });
    await expect(train(tinyNet(cpu32), data, { ...base, numEpochs: 2, expDir: dir, continue: true, solver: 'adam' })).rejects.toThrow(
      "got the state of solver 'sgd' while training uses 'adam'",
    );
  });
});

describe('resume into another network', () => {
  it('fails when the checkpoint holds weights of other shapes', async () => {
    const dir = await freshDir();
    await train(tinyNet(cpu32), data, { ...base, numEpochs: 1, expDir: dir });
    const other = tinyNet(cpu32);
    const conv2 = other.layers[3] as unknown as { weights: unknown[] };
    conv2.weights = [cpu32.zeros([1, 1, 4, 3]), cpu32.zeros([3])];
    await expect(train(other, data, { ...base, numEpochs: 2, expDir: dir, continue: true })).rejects.toThrow(
      'the checkpoint must hold a network with the same layers and weights as net, got a different network',
    );
  });
});
