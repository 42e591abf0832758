import { fromSimpleNN } from '@convnet-ts/dagnn';
import type { DagNN } from '@convnet-ts/dagnn';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dagNNAdapter } from './dagnn-adapter.js';
import { cpu32, cpu64, stripes, tinyNet, weightsOf } from './test-helpers.js';
import { train } from './train.js';

const paramValues = (net: DagNN) => [...net.params.values()].flatMap((p) => (p.value ? [Array.from(p.value.dataSync())] : []));

describe('dagNNAdapter', () => {
  it('trains a DagNN made by fromSimpleNN exactly as the SimpleNN (sub-batches and bnorm moments included)', async () => {
    const data = stripes(40);
    const opts = { numEpochs: 2, batchSize: 20, numSubBatches: 2, learningRate: 0.1, val: [0, 1, 2, 3] };
    const simple = await train(tinyNet(cpu64, { bnorm: true }), data, opts);
    const dag = fromSimpleNN(tinyNet(cpu64, { bnorm: true }));
    const adapter = dagNNAdapter(dag);
    expect(adapter.params().map((p) => p.trainMethod)).toEqual(['gradient', 'gradient', 'gradient', 'gradient', 'average', 'gradient', 'gradient']);
    const viaDag = await train(adapter, data, opts);
    const a = weightsOf(simple.net).flat();
    const b = paramValues(viaDag.net).flat();
    expect(b.length).toBe(a.length);
    a.forEach((v, i) => {
      expect(b[i]).toBeCloseTo(v, 10);
    });
    expect(viaDag.stats[1]!.val!.objective).toBeCloseTo(simple.stats[1]!.val!.objective, 10);
  });

  it("trains the same whatever the network's bnormMomentsDer (the update expects 1.0-beta25's N × moments), and leaves the setting as it was", async () => {
    const data = stripes(20);
    const opts = { numEpochs: 1, batchSize: 10, learningRate: 0.1 };
    const plain = await train(dagNNAdapter(fromSimpleNN(tinyNet(cpu64, { bnorm: true }))), data, opts);
    const later = fromSimpleNN(tinyNet(cpu64, { bnorm: true }));
    later.bnormMomentsDer = 'moments';
    const viaLater = await train(dagNNAdapter(later), data, opts);
    expect(paramValues(viaLater.net)).toEqual(paramValues(plain.net));
    expect(later.bnormMomentsDer).toBe('moments');
  });

  it('resumes from a DagNN checkpoint bit for bit', async () => {
    const data = stripes(30);
    const opts = { batchSize: 10, learningRate: 0.1, solver: 'rmsprop' as const };
    const dirs = [await mkdtemp(join(tmpdir(), 'cts-dag-')), await mkdtemp(join(tmpdir(), 'cts-dag-'))];
    const straight = await train(dagNNAdapter(fromSimpleNN(tinyNet(cpu32, { bnorm: true }))), data, { ...opts, numEpochs: 2, expDir: dirs[0]! });
    await train(dagNNAdapter(fromSimpleNN(tinyNet(cpu32, { bnorm: true }))), data, { ...opts, numEpochs: 1, expDir: dirs[1]! });
    const resumed = await train(dagNNAdapter(fromSimpleNN(tinyNet(cpu32, { bnorm: true, seed: 5 }))), data, { ...opts, numEpochs: 2, expDir: dirs[1]!, continue: true });
    expect(paramValues(resumed.net)).toEqual(paramValues(straight.net));
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('rejects an objective that is not a variable', () => {
    expect(() => dagNNAdapter(fromSimpleNN(tinyNet(cpu64)), { objective: 'loss' })).toThrow("train: objective must name a variable of the network (it has outputs x5), got 'loss'");
  });
});
