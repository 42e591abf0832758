import { Rng, type Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { move } from './move.js';
import { decodeModelFile, encodeModelFile } from './model-file.js';
import { loadSimpleNN, saveSimpleNN } from './save-load.js';
import { simplenn } from './simplenn.js';
import { alexLike, cpu32, cpu64, lenet, randn } from './test-nets.js';

const outputs = async (res: ReturnType<typeof simplenn>) => Promise.all(res.map((e) => e.x?.data()));

describe('saveSimpleNN / loadSimpleNN', () => {
  it('save → load gives identical outputs (LeNet, float32)', async () => {
    const net = lenet(cpu32);
    const bytes = await saveSimpleNN(net);
    const loaded = loadSimpleNN(bytes, cpu32);
    expect(loaded.layers.map((l) => l.name)).toEqual(net.layers.map((l) => l.name));
    expect(loaded.meta).toEqual(net.meta);
    const x = randn(cpu32, [2, 28, 28, 1], 5);
    expect(await outputs(simplenn(loaded, x, null, null, { labels: [1, 2] }))).toEqual(await outputs(simplenn(net, x, null, null, { labels: [1, 2] })));
    // Saving the loaded network gives the same bytes.
    const again = await saveSimpleNN(loaded);
    expect(again.length).toBe(bytes.length);
    expect(again.every((b, i) => b === bytes[i])).toBe(true);
  });

  it('keeps every layer option, bnorm moments and an absent bias (AlexNet-like)', async () => {
    const net = alexLike(cpu32);
    net.layers = [...net.layers.slice(0, -1), { type: 'conv', name: 'nobias', weights: [cpu32.tensor([2, 1, -1], [1, 1, 3, 1]), null] }];
    const loaded = loadSimpleNN(await saveSimpleNN(net), cpu32);
    expect(loaded.layers[3]).toMatchObject({ type: 'pool', pool: [2, 2], pad: [0, 1, 0, 1], stride: [2, 2], method: 'max' });
    expect(loaded.layers[8]).toMatchObject({ type: 'conv', name: 'nobias', weights: [expect.anything(), null] });
    const x = randn(cpu32, [2, 5, 5, 2], 6);
    const opts = { rng: new Rng(1) };
    expect(await outputs(simplenn(loaded, x, null, null, { ...opts, rng: new Rng(1) }))).toEqual(await outputs(simplenn(net, x, null, null, opts)));
    const moments = (loaded.layers[5] as { weights: readonly Tensor[] }).weights[2]!;
    expect(Array.from(await moments.data())).toEqual(Array.from(await (net.layers[5] as { weights: readonly Tensor[] }).weights[2]!.data()));
  });

  it('refuses custom layers, and files of the wrong kind or with dangling tensor names', async () => {
    const custom = { layers: [{ type: 'custom' as const, name: 'mine', forward: (_l: unknown, x: Tensor) => x, backward: () => ({ dzdx: null }) }] };
    await expect(saveSimpleNN(custom)).rejects.toThrow(
      'saveSimpleNN: layers[0] (mine, custom) must be a built-in layer type to be saved, got a custom layer (its functions are code, which model files never hold)',
    );
    const dagnn = encodeModelFile('dagnn', { layers: [] }, []);
    expect(() => loadSimpleNN(dagnn, cpu32)).toThrow("decodeModelFile: header kind must be 'simplenn'");
    const dangling = encodeModelFile('simplenn', { layers: [{ type: 'conv', weights: ['nope', null] }], meta: {} }, []);
    expect(() => loadSimpleNN(dangling, cpu32)).toThrow('loadSimpleNN: layers[0].weights[0] must name a tensor of the file, got "nope"');
    const sneaky = encodeModelFile('simplenn', { layers: [{ type: 'custom', forward: 'x => x' }], meta: {} }, []);
    expect(() => loadSimpleNN(sneaky, cpu32)).toThrow("loadSimpleNN: layers[0] must be a built-in layer type, got 'custom' (model files never hold code)");
    const typo = encodeModelFile('simplenn', { layers: [{ type: 'relu', leek: 1 }], meta: {} }, []);
    expect(() => loadSimpleNN(typo, cpu32)).toThrow("tidy: layers[0] (relu) has no field 'leek'");
  });

  it('a corrupted saved network is rejected', async () => {
    const bytes = await saveSimpleNN(alexLike(cpu32));
    const bad = bytes.slice();
    bad[bytes.length - 100]! ^= 1;
    expect(() => loadSimpleNN(bad, cpu32)).toThrow(/checksum must be/);
    expect(() => loadSimpleNN(bytes.subarray(0, bytes.length / 2), cpu32)).toThrow(/\(truncated\)/);
    expect(decodeModelFile(bytes, 'simplenn').tensors.map((t) => t.name)).toContain('layers.5.weights.2');
  });
});

describe('move', () => {
  it('copies every tensor to another backend and leaves the original alone', async () => {
    const net = alexLike(cpu32);
    const moved = await move(net, cpu64);
    const [f] = (moved.layers[0] as { weights: readonly Tensor[] }).weights;
    expect(f!.backend).toBe(cpu64);
    expect(f!.dtype).toBe('float64');
    expect((net.layers[0] as { weights: readonly Tensor[] }).weights[0]!.backend).toBe(cpu32);
    const x32 = randn(cpu32, [2, 5, 5, 2], 8);
    const x64 = cpu64.tensor(await x32.data(), x32.shape);
    const a = simplenn(net, x32, null, null, { mode: 'test', labels: [1, 2] });
    const b = simplenn(moved, x64, null, null, { mode: 'test', labels: [1, 2] });
    const [ya] = await a[9]!.x!.data();
    const [yb] = await b[9]!.x!.data();
    expect(Math.abs(ya! - yb!)).toBeLessThan(1e-5);
  });
});
