/**
 * `saveSimpleNN(net)` / `loadSimpleNN(bytes, backend)`: a SimpleNN in a
 * convnet-ts model file (`model-file.ts`, kind 'simplenn'). The description
 * is `{ layers, meta }` with each tidy layer's fields; a weight is stored as
 * its tensor's name (`layers.<i>.weights.<j>`, null for an absent bias), any
 * other tensor field as `{ "tensor": name }`, typed arrays as arrays.
 *
 * Decisions: saving is async (it reads tensors with `await t.data()`, which
 * works on every backend); values are stored as float32 (a float64 network
 * is rounded). A layer's `class` (per-batch labels) is not saved. Custom
 * layers hold code and cannot be saved: saving one throws. Loading never
 * evaluates code: the description is plain JSON. Before any tensor is made,
 * every weight name is resolved and every weight's shape is checked against
 * its layer (`checkWeightShapes`), following the channels C through the chain
 * (unknown before the first conv/convt/bnorm, and after a loss or pdist):
 *
 *     conv   f [Hf, Wf, D, K] with D dividing C and K a multiple of C/D; b K elements
 *            (no f: b C elements); then C = K
 *     convt  f [Hf, Wf, K, D] with D = C and numGroups G dividing D; b K·G elements; then C = K·G
 *     bnorm  g [C'], b [C'], moments [C', 2] with C' = C; then C = C'
 *
 * so swapped or mis-shaped weights fail at load, not at evaluation. `tidy`
 * then checks the fields, after the tensors are made (and those are disposed
 * again if it fails, so nothing is half-loaded).
 */
import { type Backend, formatShape, isTensor, ShapeError, type Tensor, ValueError } from '@convnet-ts/tensor';
import { layerLabel } from './layer-error.js';
import type { SimpleNNSpec } from './layer-spec.js';
import type { SimpleNN } from './layer-types.js';
import { decodeModelFile, encodeModelFile, type StoredTensor } from './model-file.js';
import { tidy } from './tidy.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The network as a model file (float32). */
export async function saveSimpleNN(net: SimpleNNSpec): Promise<Uint8Array> {
  const { layers, meta } = tidy(net);
  const tensors: StoredTensor[] = [];
  const store = async (t: Tensor, name: string): Promise<string> => {
    tensors.push({ name, shape: [...t.shape], data: Float32Array.from(await t.data()) });
    return name;
  };
  const described: Json[] = [];
  for (const [i, layer] of layers.entries()) {
    if (layer.type === 'custom') {
      throw new ValueError('saveSimpleNN', `layers[${i}]`, `${layerLabel(layer, i)} must be a built-in layer type to be saved, got a custom layer (its functions are code, which model files never hold)`);
    }
    const out: { [key: string]: Json } = {};
    for (const [key, value] of Object.entries(layer)) {
      if (key === 'class' || value === undefined) continue;
      if (key === 'weights') {
        const names: Json[] = [];
        for (const [j, w] of (value as (Tensor | null)[]).entries()) names.push(w ? await store(w, `layers.${i}.weights.${j}`) : null);
        out.weights = names;
      } else if (isTensor(value)) out[key] = { tensor: await store(value, `layers.${i}.${key}`) };
      else if (ArrayBuffer.isView(value)) out[key] = Array.from(value as unknown as ArrayLike<number>);
      else out[key] = value as Json;
    }
    described.push(out);
  }
  return encodeModelFile('simplenn', { layers: described, meta }, tensors);
}

/** A network from a model file, its tensors made on `backend`. */
export function loadSimpleNN(bytes: Uint8Array, backend: Backend): SimpleNN {
  const { description, tensors } = decodeModelFile(bytes, 'simplenn');
  const fail = (message: string): never => {
    throw new ValueError('loadSimpleNN', 'description', message);
  };
  const d = description as { layers?: unknown; meta?: unknown } | null;
  if (typeof d !== 'object' || d === null || !Array.isArray(d.layers)) return fail('description must be { layers: [...], meta }, got another value');
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const ref = (name: unknown, where: string): StoredTensor => {
    const t = typeof name === 'string' ? byName.get(name) : undefined;
    return t ?? fail(`${where} must name a tensor of the file, got ${JSON.stringify(name)}`);
  };
  // Resolve every reference before making any tensor.
  const plans = (d.layers as unknown[]).map((raw, i) => {
    if (typeof raw !== 'object' || raw === null) return fail(`layers[${i}] must be an object, got ${JSON.stringify(raw)}`);
    const layer = raw as Record<string, unknown>;
    if (layer.type === 'custom') fail(`layers[${i}] must be a built-in layer type, got 'custom' (model files never hold code)`);
    const fields: [string, unknown][] = Object.entries(layer).map(([key, value]) => {
      if (key === 'weights') {
        if (!Array.isArray(value)) return fail(`layers[${i}].weights must be an array of tensor names, got ${JSON.stringify(value)}`);
        return [key, value.map((n, j) => (n === null ? null : ref(n, `layers[${i}].weights[${j}]`)))];
      }
      const isRef = typeof value === 'object' && value !== null && !Array.isArray(value) && 'tensor' in value;
      return [key, isRef ? ref((value as { tensor: unknown }).tensor, `layers[${i}].${key}`) : value];
    });
    return fields;
  });
  plans.reduce<number | undefined>((c, fields, i) => checkWeightShapes(i, Object.fromEntries(fields), c), undefined);
  const made: Tensor[] = [];
  const make = (t: StoredTensor): Tensor => {
    const x = backend.tensor(t.data, t.shape);
    made.push(x);
    return x;
  };
  const isStored = (v: unknown): v is StoredTensor => typeof v === 'object' && v !== null && 'data' in v && (v as StoredTensor).data instanceof Float32Array;
  try {
    const layers = plans.map((fields) =>
      Object.fromEntries(
        fields.map(([key, value]) => [key, Array.isArray(value) && key === 'weights' ? value.map((w) => (isStored(w) ? make(w) : null)) : isStored(value) ? make(value) : value]),
      ),
    );
    return tidy({ layers, meta: d.meta ?? {} } as unknown as SimpleNNSpec);
  } catch (e) {
    for (const t of made) t.dispose();
    throw e;
  }
}

/** Channel-preserving layer types: C after the layer is C before it. */
const SAME_CHANNELS = new Set(['pool', 'lrn', 'normalize', 'spnorm', 'relu', 'sigmoid', 'noffset', 'dropout', 'softmax']);

/**
 * Checks layer `i`'s weights against its type and the channels `c` of its
 * input (undefined: unknown; see the module doc) and returns the channels of
 * its output. Throws a `ShapeError` naming the layer and the weight.
 */
function checkWeightShapes(i: number, layer: Record<string, unknown>, c: number | undefined): number | undefined {
  const label = `layers[${i}] (${typeof layer.name === 'string' ? `${layer.name}, ` : ''}${String(layer.type)})`;
  const weights = Array.isArray(layer.weights) ? (layer.weights as (StoredTensor | null)[]) : [];
  const shapeOf = (j: number) => weights[j]?.shape;
  const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
  const fail = (j: number, message: string): never => {
    throw new ShapeError('loadSimpleNN', `layers[${i}].weights[${j}]`, `${label} weights[${j}] ${message}`);
  };
  const from = c === undefined ? '' : ` (the layer's input has ${c} channels)`;
  switch (layer.type) {
    case 'conv': {
      const f = shapeOf(0);
      const b = shapeOf(1);
      if (!f) {
        if (b && c !== undefined && size(b) !== c) fail(1, `(biases without filters) must have ${c} elements, one per input channel, got shape ${formatShape(b)}`);
        return b ? size(b) : c;
      }
      if (f.length !== 4) fail(0, `(filters) must have shape [Hf, Wf, D, K], got ${formatShape(f)}`);
      const [, , d, k] = f as [number, number, number, number];
      if (c !== undefined && (c % d !== 0 || k % (c / d) !== 0)) {
        fail(0, `(filters) must have a depth D dividing the ${c} input channels and a number of filters K divisible by the C/D groups, got shape ${formatShape(f)}`);
      }
      if (b && size(b) !== k) fail(1, `(biases) must have ${k} elements, one per filter of weights[0] ${formatShape(f)}, got shape ${formatShape(b)}`);
      return k;
    }
    case 'convt': {
      const f = shapeOf(0);
      const b = shapeOf(1);
      if (f?.length !== 4) return fail(0, `(filters) must have shape [Hf, Wf, K, D], got ${f ? formatShape(f) : 'none'}`);
      const [, , k, d] = f as [number, number, number, number];
      const g = layer.numGroups === undefined ? 1 : layer.numGroups;
      if (c !== undefined && d !== c) fail(0, `(filters) must have the ${c} input channels as D in [Hf, Wf, K, D], got shape ${formatShape(f)}`);
      if (typeof g !== 'number' || !Number.isInteger(g) || g < 1 || d % g !== 0) {
        throw new ShapeError('loadSimpleNN', `layers[${i}].numGroups`, `${label} numGroups must be a positive integer dividing D = ${d}${from}, got ${JSON.stringify(g)}`);
      }
      if (b && size(b) !== k * g) fail(1, `(biases) must have K·numGroups = ${k * g} elements, got shape ${formatShape(b)}`);
      return k * g;
    }
    case 'bnorm': {
      const g = shapeOf(0);
      if (g?.length !== 1) return fail(0, `(multipliers) must have shape [C], got ${g ? formatShape(g) : 'none'}`);
      const n = g[0]!;
      if (c !== undefined && n !== c) fail(0, `(multipliers) must have shape [${c}], one per input channel, got ${formatShape(g)}`);
      const b = shapeOf(1);
      if (b && (b.length !== 1 || b[0] !== n)) fail(1, `(biases) must have shape [${n}] as the multipliers, got ${formatShape(b)}`);
      const m = shapeOf(2);
      if (m && (m.length !== 2 || m[0] !== n || m[1] !== 2)) fail(2, `(moments) must have shape [${n}, 2], rows [mu, sigma], got ${formatShape(m)}`);
      return n;
    }
    default:
      return SAME_CHANNELS.has(String(layer.type)) ? c : undefined;
  }
}
