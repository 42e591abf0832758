import { BatchNorm, Conv, DagNN, Loss, loadDagNN, Pooling, ReLU, saveDagNN } from '@convnet-ts/dagnn';
import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { decodeModelFile, encodeModelFile, loadSimpleNN, type SimpleNN, saveSimpleNN, type StoredTensor } from '@convnet-ts/simplenn';
import { type Backend, isConvnetError, Rng, ShapeError, Tensor } from '@convnet-ts/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lazyBackend, type ReliabilityTarget } from '../reliability/target.js';
import { fuzzParameters } from './settings.js';

/**
 * Corrupted model files and checkpoints (issue 13: "random byte corruptions
 * … rejected without allocation"; item 8 on every backend). The files are a
 * SimpleNN and a DagNN written by `saveSimpleNN`/`saveDagNN`, and a trainer
 * state (the `.state` file of a checkpoint: the same container, checked by
 * `decodeModelFile` before `loadCheckpoint` reads anything):
 *
 * - random byte changes and truncations are rejected with a typed error
 *   before the backend makes a single tensor (the CRC-32 and sizes catch them);
 * - random changes of the description (a value replaced, a layer's weight
 *   renamed, a tensor reshaped or dropped) written back into a valid file
 *   either load or throw a typed error, and either way leave `memory()` as it
 *   was once the loaded network is disposed;
 * - 20 loads of a DagNN file that fails late leave `memory()` unchanged.
 */
const cpu = createCpuBackend({ dtype: 'float32', threads: 1 });

function simpleNet(): SimpleNN {
  const rng = new Rng(5);
  const t = (shape: number[]) => cpu.tensor(rng.randn(shape.reduce((a, b) => a * b, 1)), shape);
  return {
    layers: [
      { type: 'conv', name: 'c1', weights: [t([3, 3, 2, 4]), t([4])], pad: 1 },
      { type: 'bnorm', name: 'bn', weights: [t([4]), t([4]), t([4, 2])] },
      { type: 'relu', name: 'r' },
      { type: 'pool', name: 'p', pool: 2, stride: 2 },
      { type: 'conv', name: 'c2', weights: [t([2, 2, 4, 3]), t([3])] },
      { type: 'softmaxloss', name: 'loss' },
    ],
    meta: { classes: ['a', 'b', 'c'] },
  } as unknown as SimpleNN;
}

function dagNet(): DagNN {
  const net = new DagNN(cpu);
  net.addLayer('conv1', new Conv({ size: [3, 3, 2, 4], pad: 1 }), 'input', 'x1', ['f1', 'b1']);
  net.addLayer('bn', new BatchNorm({ numChannels: 4 }), 'x1', 'x2', ['g', 'b', 'm']);
  net.addLayer('relu', new ReLU(), 'x2', 'x3');
  net.addLayer('pool', new Pooling({ poolSize: 2, stride: 2 }), 'x3', 'x4');
  net.addLayer('conv2', new Conv({ size: [2, 2, 4, 3] }), 'x4', 'prediction', ['f2', 'b2']);
  net.addLayer('loss', new Loss(), ['prediction', 'label'], 'objective');
  return net.initParams(new Rng(6));
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

/** Every tensor reachable from a loaded network (SimpleNN layers' fields, DagNN parameter values). */
function tensorsOf(net: unknown): Tensor[] {
  if (net instanceof DagNN) return [...net.params.values()].flatMap((p) => (p.value ? [p.value] : []));
  const out: Tensor[] = [];
  for (const layer of (net as SimpleNN).layers) {
    for (const v of Object.values(layer)) {
      if (v instanceof Tensor) out.push(v);
      else if (Array.isArray(v)) for (const w of v) if (w instanceof Tensor) out.push(w);
    }
  }
  return out;
}

const byteCorruption = (length: number) =>
  fc.record({
    edits: fc.array(fc.record({ at: fc.nat({ max: length - 1 }), xor: fc.integer({ min: 1, max: 255 }) }), { minLength: 1, maxLength: 4 }),
    cut: fc.option(fc.nat({ max: length - 1 }), { nil: undefined }),
  });

const jsonValue = fc.oneof(fc.constant(null), fc.boolean(), fc.integer({ min: -3, max: 600 }), fc.double(), fc.string({ maxLength: 12 }), fc.constant([]), fc.constant({}), fc.constant([1, 2]));

/** A change of a decoded file: replace the value at a random path of the description, or reshape, rename or drop a tensor. */
const structuralCorruption = fc.record({
  kind: fc.constantFrom('value', 'value', 'reshape', 'rename', 'drop'),
  pick: fc.array(fc.nat(), { minLength: 6, maxLength: 6 }),
  value: jsonValue,
  shape: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 0, maxLength: 4 }),
});

type Corruption = { kind: string; pick: number[]; value: unknown; shape: number[] };

function corrupt(file: Uint8Array, kind: 'simplenn' | 'dagnn', c: Corruption): Uint8Array {
  const { description, tensors } = decodeModelFile(file, kind);
  const list: StoredTensor[] = tensors.map((t) => ({ ...t }));
  const k = c.pick[0]! % list.length;
  if (c.kind === 'reshape') {
    const size = c.shape.reduce((a, b) => a * b, 1);
    list[k] = { ...list[k]!, shape: c.shape, data: new Float32Array(size) };
  } else if (c.kind === 'rename') {
    list[k] = { ...list[k]!, name: `${list[(k + 1) % list.length]!.name}x` };
  } else if (c.kind === 'drop') {
    list.splice(k, 1);
  } else {
    // Walk down the description along `pick`, then replace what is there.
    let node = description as Record<string, unknown>;
    for (const p of c.pick.slice(1)) {
      const keys = Object.keys(node);
      if (keys.length === 0) break;
      const key = keys[p % keys.length]!;
      const child = node[key];
      if (child === null || typeof child !== 'object' || p % 3 === 0) {
        node[key] = c.value;
        break;
      }
      node = child as Record<string, unknown>;
    }
  }
  return encodeModelFile(kind, description, list);
}

export function describeModelFileFuzz(target: ReliabilityTarget): void {
  describe(`fuzz model files and checkpoints: ${target.name}`, () => {
    const getBackend = lazyBackend(target);
    const files = async () => ({ simplenn: await saveSimpleNN(simpleNet()), dagnn: saveDagNN(dagNet()) });
    const load = (kind: 'simplenn' | 'dagnn', bytes: Uint8Array, be: Backend) => (kind === 'simplenn' ? loadSimpleNN(bytes, be) : loadDagNN(bytes, be));

    for (const kind of ['simplenn', 'dagnn'] as const) {
      it(`${kind}: random byte changes and truncations are rejected before any tensor is made`, async () => {
        const be = await getBackend();
        const file = (await files())[kind];
        const before = be.memory();
        fc.assert(
          fc.property(byteCorruption(file.length), ({ edits, cut }) => {
            const bytes = file.slice(0, cut ?? file.length);
            for (const { at, xor } of edits) if (at < bytes.length) bytes[at]! ^= xor;
            let error: unknown;
            const made = countTensors(be, () => {
              try {
                load(kind, bytes, be);
              } catch (e) {
                error = e;
              }
            });
            expect(isConvnetError(error), String(error)).toBe(true);
            expect(made).toBe(0);
          }),
          fuzzParameters(150),
        );
        expect(be.memory()).toEqual(before);
      });

      it(`${kind}: random changes of the description and tensors load or throw a typed error, leaking nothing`, async () => {
        const be = await getBackend();
        const file = (await files())[kind];
        const before = be.memory();
        let rejected = 0;
        fc.assert(
          fc.property(structuralCorruption, (c) => {
            const bytes = corrupt(file, kind, c);
            try {
              const net = load(kind, bytes, be);
              for (const t of tensorsOf(net)) t.dispose();
            } catch (e) {
              expect(isConvnetError(e), String(e)).toBe(true);
              rejected++;
            }
            expect(be.memory()).toEqual(before);
          }),
          fuzzParameters(100),
        );
        expect(rejected).toBeGreaterThan(0);
      });
    }

    it('a checkpoint state file with random byte changes is rejected by decodeModelFile', () => {
      const state = encodeModelFile(
        'simplenn',
        { format: 'convnet-ts-train-state', version: 1, epoch: 3, solver: 'sgd', randomSeed: 0, stats: [], params: [{ name: 'c1f', steps: 30, tensors: ['momentum'] }] },
        [{ name: 'c1f/momentum', shape: [3, 3, 2, 4], data: new Float32Array(72).fill(0.25) }],
      );
      fc.assert(
        fc.property(byteCorruption(state.length), ({ edits, cut }) => {
          const bytes = state.slice(0, cut ?? state.length);
          for (const { at, xor } of edits) if (at < bytes.length) bytes[at]! ^= xor;
          expect(() => decodeModelFile(bytes, 'simplenn')).toThrow(/decodeModelFile: /);
        }),
        fuzzParameters(150),
      );
    });

    it('20 loads of a DagNN file failing late (a mis-shaped last tensor) leave memory() unchanged', async () => {
      const be = await getBackend();
      const { description, tensors } = decodeModelFile((await files()).dagnn, 'dagnn');
      const bad = encodeModelFile('dagnn', description, tensors.map((t) => (t.name === 'b2' ? { ...t, shape: [1, 3], data: t.data } : t)));
      const missing = encodeModelFile('dagnn', description, tensors.filter((t) => t.name !== 'm'));
      const before = be.memory();
      for (let i = 0; i < 20; i++) {
        expect(() => loadDagNN(bad, be)).toThrow(ShapeError);
        expect(() => loadDagNN(missing, be)).toThrow("got no value for 'm' (of layer 'bn')");
      }
      expect(be.memory()).toEqual(before);
    });
  });
}
