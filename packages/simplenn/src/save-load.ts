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
 * evaluates code: the description is plain JSON, checked by `tidy` after the
 * tensors are made (and those are disposed again if it fails, so nothing is
 * half-loaded).
 */
import { type Backend, Tensor, ValueError } from '@convnet-ts/tensor';
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
      } else if (value instanceof Tensor) out[key] = { tensor: await store(value, `layers.${i}.${key}`) };
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
