import { decodeModelFile, encodeModelFile, type StoredTensor } from '@convnet-ts/simplenn';
import { type Backend, isConvnetError, Rng, ShapeError, type Tensor, ValueError } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { DagNN } from './dag-nn.js';
import { Layer, type LayerDerivatives, type VarValue } from './layer.js';
import { DropOut } from './layers/dropout.js';
import { loadDagNN, saveDagNN } from './save-load.js';
import { branchyNet, cpu32, cpu64, lenetDag, randn } from './test-nets.js';

function outputs(net: DagNN, inputs: Record<string, VarValue>): { objective: number; ders: Map<string, Float32Array | Float64Array> } {
  net.getVar('objective').precious = true;
  net.eval(inputs, { objective: 1 });
  return {
    objective: (net.getVar('objective').value as Tensor).dataSync()[0]!,
    ders: new Map([...net.params.values()].map((p) => [p.name, p.der!.dataSync()])),
  };
}

describe('saveDagNN / loadDagNN', () => {
  it('round-trips structure, options, training factors, meta and parameters exactly', () => {
    const net = lenetDag(cpu32).initParams(new Rng(4));
    net.meta = { classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], inputSize: [28, 28, 1] };
    net.getParam('conv1b').learningRate = 2;
    net.getParam('conv1b').weightDecay = 0;
    net.getVar('x3').precious = true;
    const bytes = saveDagNN(net);
    const back = loadDagNN(bytes, cpu32);
    expect(back.layers.map((l) => [l.name, l.block.type, l.inputs, l.outputs, l.params])).toEqual(
      net.layers.map((l) => [l.name, l.block.type, l.inputs, l.outputs, l.params]),
    );
    expect(back.layers.map((l) => l.block.options())).toEqual(net.layers.map((l) => l.block.options()));
    expect(back.getParam('conv1b')).toMatchObject({ learningRate: 2, weightDecay: 0 });
    expect(back.getVar('x3').precious).toBe(true);
    expect(back.meta).toEqual(net.meta);
    const input = randn(cpu32, [2, 28, 28, 1], 9);
    const a = outputs(net, { input, label: [3, 7] });
    const b = outputs(back, { input, label: [3, 7] });
    expect(b.objective).toBe(a.objective);
    for (const [name, der] of a.ders) expect(Array.from(b.ders.get(name)!)).toEqual(Array.from(der));
    const again = saveDagNN(back);
    const first = saveDagNN(net);
    expect(again.length).toBe(first.length);
    expect(again.every((v, i) => v === first[i])).toBe(true);
  });

  it('keeps the moments parameter averaged and the graph of a DAG', () => {
    const net = branchyNet(cpu32);
    const back = loadDagNN(saveDagNN(net), cpu32);
    expect(back.getParam('wf').fanout).toBe(2);
    expect(back.getLayerExecutionOrder().map((l) => l.name)).toEqual(net.getLayerExecutionOrder().map((l) => l.name));
  });

  it('rejects corrupt and truncated files before building anything', () => {
    const bytes = saveDagNN(lenetDag(cpu32).initParams());
    const flipped = bytes.slice();
    flipped[bytes.length - 100]! ^= 0xff;
    expect(() => loadDagNN(flipped, cpu32)).toThrow(ValueError);
    expect(() => loadDagNN(bytes.subarray(0, bytes.length - 7), cpu32)).toThrow(ValueError);
    expect(() => loadDagNN(new Uint8Array(10), cpu32)).toThrow(ValueError);
  });

  it('rejects unknown layer classes unless a factory is given, and never runs code from the file', () => {
    class Double extends Layer {
      readonly type = 'Double';
      forward([x]: readonly VarValue[]): Tensor[] {
        const t = x as Tensor;
        return [t.backend.run('Unary', { x: t }, { op: 'scale', alpha: 2 })];
      }
      backward(_i: readonly VarValue[], _p: readonly Tensor[], [dy]: readonly Tensor[]): LayerDerivatives {
        return { derInputs: [dy!.backend.run('Unary', { x: dy! }, { op: 'scale', alpha: 2 })], derParams: [] };
      }
      options(): Record<string, unknown> {
        return {};
      }
    }
    const net = new DagNN(cpu32);
    net.addLayer('double', new Double(), 'x', 'y');
    net.addLayer('drop', new DropOut({ rate: 0.25 }), 'y', 'z');
    const bytes = saveDagNN(net);
    expect(() => loadDagNN(bytes, cpu32)).toThrow(/loadDagNN: layers\[0\]\.type must be a known layer class \(.*\), got "Double"/);
    const back = loadDagNN(bytes, cpu32, { layers: { Double: () => new Double() } });
    expect((back.getLayer('drop').block as DropOut).rate).toBe(0.25);
    back.mode = 'test';
    back.eval({ x: cpu32.tensor([1, 2], [2]) });
    expect(Array.from((back.getVar('z').value as Tensor).dataSync())).toEqual([2, 4]);
  });

  /** The file `bytes` with its tensors rewritten by `edit` (checksum recomputed, so only loadDagNN's own checks can catch it). */
  function rewrite(bytes: Uint8Array, edit: (tensors: StoredTensor[]) => StoredTensor[]): Uint8Array {
    const { description, tensors } = decodeModelFile(bytes, 'dagnn');
    return encodeModelFile('dagnn', description, edit(tensors));
  }

  it('rejects a file with a parameter missing at load, naming it and its layer (not at eval)', () => {
    const bytes = saveDagNN(lenetDag(cpu32).initParams());
    const file = rewrite(bytes, (ts) => ts.filter((t) => t.name !== 'conv3b'));
    expect(() => loadDagNN(file, cpu32)).toThrow(/loadDagNN: .*every parameter must have a value when any has .*got no value for 'conv3b' \(of layer 'conv3'\)/);
    // A network saved before initParams has no values at all and loads as such.
    const bare = loadDagNN(saveDagNN(lenetDag(cpu32)), cpu32);
    expect([...bare.params.values()].every((p) => p.value === null)).toBe(true);
  });

  for (const backend of [cpu32, cpu64]) {
    it(`20 failed loads leave ${backend.name} ${backend.dtype} memory unchanged (mis-shaped last tensor, a failing allocation)`, () => {
      const bytes = saveDagNN(lenetDag(cpu32).initParams());
      const misShaped = rewrite(bytes, (ts) => ts.map((t) => (t.name === 'conv4f' ? { ...t, shape: [1, 1, 10, 500] } : t)));
      const before = backend.memory();
      for (let i = 0; i < 20; i++) {
        expect(() => loadDagNN(misShaped, backend)).toThrow(ShapeError);
        expect(() => loadDagNN(misShaped, backend)).toThrow(/tensor 'conv4f' \(a parameter of layer 'conv4'\) must have shape \[1, 1, 500, 10\], got \[1, 1, 10, 500\]/);
      }
      expect(backend.memory()).toEqual(before);
      // The backend fails on the k-th tensor: the k - 1 made before it are disposed.
      for (let k = 1; k <= 8; k++) {
        const failing = failingAfter(backend, k - 1);
        let err: unknown;
        try {
          loadDagNN(bytes, failing.backend);
        } catch (e) {
          err = e;
        } finally {
          failing.restore();
        }
        expect(isConvnetError(err), String(err)).toBe(true);
        expect(backend.memory()).toEqual(before);
      }
    });
  }
});

/** `backend` whose `tensor` makes `n` tensors, then throws a `ValueError` (as an exhausted device would); `restore()` undoes it. */
function failingAfter(backend: Backend, n: number): { backend: Backend; restore: () => void } {
  const original = backend.tensor;
  let left = n;
  backend.tensor = function (this: Backend, ...args: Parameters<Backend['tensor']>) {
    if (left-- <= 0) throw new ValueError('test', 'tensor', 'out of memory (simulated)');
    return original.apply(this, args);
  } as Backend['tensor'];
  return { backend, restore: () => { backend.tensor = original; } };
}
