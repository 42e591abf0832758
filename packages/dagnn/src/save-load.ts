/**
 * Model files of a `DagNN` (MatConvNet's `saveobj`/`loadobj`, api §7.2),
 * in the convnet-ts container of @convnet-ts/simplenn (`encodeModelFile`,
 * kind `'dagnn'`: magic, version, sizes and a checksum, all checked before
 * anything is allocated). The description is JSON:
 *
 *     { format: 'convnet-ts.dagnn', version: 1,
 *       layers: [{ name, type, options, inputs, outputs, params }],
 *       vars: [{ name, precious }],
 *       params: [{ name, learningRate, weightDecay, trainMethod }],
 *       meta }
 *
 * and every parameter with a value is a float32 tensor named after it.
 * Loading looks each `type` up among the built-in layer classes (and the
 * factories passed in `opts.layers`), rebuilds the layer from its options
 * through its constructor's validation, and checks every parameter's shape;
 * it never evaluates code, and any error leaves nothing half-loaded (the
 * network is returned only once complete).
 */
import { decodeModelFile, encodeModelFile, type StoredTensor } from '@convnet-ts/simplenn';
import { type Backend, type Tensor, ValueError } from '@convnet-ts/tensor';
import { DagNN } from './dag-nn.js';
import { LAYER_TYPES, type LayerFactory } from './layers/registry.js';
import { own } from './ownership.js';

const FORMAT = 'convnet-ts.dagnn';
const VERSION = 1;

/** The model file of `net`: structure, options, training factors, `meta` and parameter values (float32). */
export function saveDagNN(net: DagNN): Uint8Array {
  const description = {
    format: FORMAT,
    version: VERSION,
    layers: net.layers.map((l) => ({ name: l.name, type: l.block.type, options: l.block.options(), inputs: l.inputs, outputs: l.outputs, params: l.params })),
    vars: [...net.vars.values()].map((v) => ({ name: v.name, precious: v.precious })),
    params: [...net.params.values()].map((p) => ({ name: p.name, learningRate: p.learningRate, weightDecay: p.weightDecay, trainMethod: p.trainMethod })),
    meta: net.meta,
  };
  const tensors: StoredTensor[] = [];
  for (const p of net.params.values()) {
    if (p.value) tensors.push({ name: p.name, shape: [...p.value.shape], data: Float32Array.from(readSync(p.value)) });
  }
  return encodeModelFile('dagnn', description, tensors);
}

function readSync(t: Tensor): ArrayLike<number> {
  if (!t.backend.readSync) throw new ValueError('saveDagNN', 'net', `parameters must be readable synchronously (move the network to the CPU first), got the ${t.backend.name} backend`);
  return t.backend.readSync(t);
}

const fail = (message: string): never => {
  throw new ValueError('loadDagNN', 'bytes', message);
};

function record(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(`${what} must be an object, got ${JSON.stringify(v)}`);
  return v as Record<string, unknown>;
}

function strings(v: unknown, what: string): string[] {
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) fail(`${what} must be a list of names, got ${JSON.stringify(v)}`);
  return v as string[];
}

function list(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) fail(`${what} must be a list, got ${JSON.stringify(v)}`);
  return v as unknown[];
}

/** Rebuilds a network saved by `saveDagNN` on `backend`. Custom layer classes are passed as factories by type name. */
export function loadDagNN(bytes: Uint8Array, backend: Backend, opts: { layers?: Readonly<Record<string, LayerFactory>> } = {}): DagNN {
  const { description, tensors } = decodeModelFile(bytes, 'dagnn');
  const d = record(description, 'the description');
  if (d.format !== FORMAT) fail(`the description's format must be '${FORMAT}', got ${JSON.stringify(d.format)}`);
  if (d.version !== VERSION) fail(`the description's version must be ${VERSION} (newer files need a newer @convnet-ts/dagnn), got ${JSON.stringify(d.version)}`);
  const factories = { ...LAYER_TYPES, ...opts.layers };
  const net = new DagNN(backend);
  list(d.layers, 'layers').forEach((entry, i) => {
    const l = record(entry, `layers[${i}]`);
    const type = l.type;
    if (typeof type !== 'string' || !Object.hasOwn(factories, type)) {
      fail(`layers[${i}].type must be a known layer class (${Object.keys(factories).join(', ')}), got ${JSON.stringify(type)}`);
    }
    if (typeof l.name !== 'string') fail(`layers[${i}].name must be a string, got ${JSON.stringify(l.name)}`);
    const block = factories[type as string]!(record(l.options, `layers[${i}].options`));
    net.addLayer(l.name as string, block, strings(l.inputs, `layers[${i}].inputs`), strings(l.outputs, `layers[${i}].outputs`), strings(l.params, `layers[${i}].params`));
  });
  list(d.vars, 'vars').forEach((entry, i) => {
    const v = record(entry, `vars[${i}]`);
    const rec = net.vars.get(String(v.name)) ?? fail(`vars[${i}].name must be a variable of the network, got ${JSON.stringify(v.name)}`);
    if (typeof v.precious !== 'boolean') fail(`vars[${i}].precious must be true or false, got ${JSON.stringify(v.precious)}`);
    rec.precious = v.precious as boolean;
  });
  list(d.params, 'params').forEach((entry, i) => {
    const p = record(entry, `params[${i}]`);
    const rec = net.params.get(String(p.name)) ?? fail(`params[${i}].name must be a parameter of the network, got ${JSON.stringify(p.name)}`);
    const finite = (x: unknown) => typeof x === 'number' && Number.isFinite(x);
    if (!finite(p.learningRate) || !finite(p.weightDecay) || (p.trainMethod !== 'gradient' && p.trainMethod !== 'average')) {
      fail(`params[${i}] must have finite learningRate and weightDecay and trainMethod 'gradient' or 'average', got ${JSON.stringify(p)}`);
    }
    Object.assign(rec, { learningRate: p.learningRate, weightDecay: p.weightDecay, trainMethod: p.trainMethod });
  });
  for (const t of tensors) {
    if (!net.params.has(t.name)) fail(`tensor '${t.name}' must be a parameter of the network, got no such parameter`);
    net.setParam(t.name, own(backend.tensor(t.data, t.shape)));
  }
  if (d.meta !== undefined) net.meta = record(d.meta, 'meta');
  return net;
}
