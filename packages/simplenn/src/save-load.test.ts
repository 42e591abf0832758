import { type Backend, Rng, ShapeError, type Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { move } from './move.js';
import { decodeModelFile, encodeModelFile, type StoredTensor } from './model-file.js';
import { loadSimpleNN, saveSimpleNN } from './save-load.js';
import { simplenn } from './simplenn.js';
import type { SimpleNNSpec } from './layer-spec.js';
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

type Described = { layers: Record<string, unknown>[]; meta: unknown };

/** `bytes` with description and tensors rewritten by `edit` (a valid file: only loadSimpleNN's own checks can catch it). */
function rewrite(bytes: Uint8Array, edit: (d: Described, byName: Map<string, StoredTensor>) => void): Uint8Array {
  const { description, tensors } = decodeModelFile(bytes, 'simplenn');
  const d = description as Described;
  edit(d, new Map(tensors.map((t) => [t.name, t])));
  return encodeModelFile('simplenn', d, tensors);
}

/** Counts `backend.tensor` calls while `fn` runs. */
function countTensors(backend: Backend, fn: () => void): number {
  const original = backend.tensor;
  let calls = 0;
  backend.tensor = function (this: Backend, ...args: Parameters<Backend['tensor']>) {
    calls++;
    return original.apply(this, args);
  } as Backend['tensor'];
  try {
    fn();
  } finally {
    backend.tensor = original;
  }
  return calls;
}

describe('loadSimpleNN rejects swapped or mis-shaped weights before allocating', () => {
  const reshape = (name: string, shape: number[]) => (_d: Described, t: Map<string, StoredTensor>) => {
    const w = t.get(name)!;
    w.shape = shape;
    w.data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  };
  const cases: [string, () => SimpleNNSpec, (d: Described, t: Map<string, StoredTensor>) => void, RegExp][] = [
    ['filters and biases swapped', () => lenet(cpu32), (d) => {
      const w = d.layers[2]!.weights as string[];
      d.layers[2]!.weights = [w[1], w[0]];
    }, /layers\[2\] \(conv2, conv\) weights\[0\] \(filters\) must have shape \[Hf, Wf, D, K\], got \[50\]/],
    ['two layers\' filters swapped', () => lenet(cpu32), (d) => {
      const a = d.layers[2]!.weights as string[];
      const b = d.layers[4]!.weights as string[];
      d.layers[2]!.weights = [b[0], a[1]];
      d.layers[4]!.weights = [a[0], b[1]];
    }, /layers\[2\] \(conv2, conv\) weights\[0\] \(filters\) must have a depth D dividing the 20 input channels .*got shape \[4, 4, 50, 500\]/],
    ['filter depth not dividing the channels', () => lenet(cpu32), reshape('layers.2.weights.0', [5, 5, 50, 20]),
      /layers\[2\] \(conv2, conv\) weights\[0\] \(filters\) must have a depth D dividing the 20 input channels .*got shape \[5, 5, 50, 20\]/],
    ['a bias of the wrong length', () => lenet(cpu32), reshape('layers.6.weights.1', [11]), /layers\[6\] \(conv4, conv\) weights\[1\] \(biases\) must have 10 elements/],
    ['bnorm multipliers of another channel count', () => alexLike(cpu32), (_d, t) => {
      for (const j of [0, 1]) {
        const w = t.get(`layers.5.weights.${j}`)!;
        w.shape = [2];
        w.data = w.data.subarray(0, 2);
      }
    }, /layers\[5\] \(bn2, bnorm\) weights\[0\] \(multipliers\) must have shape \[4\], one per input channel, got \[2\]/],
    ['bnorm moments [C, 2] stored as [2, C]', () => alexLike(cpu32), reshape('layers.5.weights.2', [2, 4]), /layers\[5\] \(bn2, bnorm\) weights\[2\] \(moments\) must have shape \[4, 2\]/],
    ['convt filters [Hf, Wf, K, D] whose D is not the channels', () => ({
      layers: [
        { type: 'conv', name: 'c', weights: [cpu32.zeros([1, 1, 1, 3]), cpu32.zeros([3])] },
        { type: 'convt', name: 'up', weights: [cpu32.zeros([2, 2, 3, 2]), cpu32.zeros([3])], upsample: 2 },
      ],
    }), () => {}, /layers\[1\] \(up, convt\) weights\[0\] \(filters\) must have the 3 input channels as D in \[Hf, Wf, K, D\], got shape \[2, 2, 3, 2\]/],
  ];
  for (const [what, net, edit, message] of cases) {
    it(what, async () => {
      const file = rewrite(await saveSimpleNN(net()), edit);
      const before = cpu32.memory();
      expect(countTensors(cpu32, () => expect(() => loadSimpleNN(file, cpu32)).toThrow(ShapeError))).toBe(0);
      expect(() => loadSimpleNN(file, cpu32)).toThrow(message);
      expect(cpu32.memory()).toEqual(before);
    });
  }

  it('accepts consistent weights: grouped conv, a conv without filters, a grouped convt, bnorm after it', async () => {
    const net: SimpleNNSpec = {
      layers: [
        { type: 'conv', name: 'c1', weights: [cpu32.zeros([1, 1, 2, 4]), cpu32.zeros([1, 4])] },
        { type: 'conv', name: 'grouped', weights: [cpu32.zeros([1, 1, 2, 4]), cpu32.zeros([4])] },
        { type: 'relu', name: 'r' },
        { type: 'conv', name: 'shift', weights: [null, cpu32.zeros([4])] },
        { type: 'convt', name: 'up', weights: [cpu32.zeros([2, 2, 3, 4]), cpu32.zeros([6])], upsample: 2, numGroups: 2 },
        { type: 'bnorm', name: 'bn', weights: [cpu32.zeros([6]), cpu32.zeros([6]), cpu32.zeros([6, 2])] },
      ],
    };
    const loaded = loadSimpleNN(await saveSimpleNN(net), cpu64);
    expect(loaded.layers.map((l) => l.name)).toEqual(['c1', 'grouped', 'r', 'shift', 'up', 'bn']);
    const y = simplenn(loaded, cpu64.zeros([1, 2, 2, 2]), null, null, { mode: 'test' });
    expect(y.at(-1)!.x!.shape).toEqual([1, 4, 4, 6]);
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
