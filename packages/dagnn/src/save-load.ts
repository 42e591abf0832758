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
 * through its constructor's validation, and checks every parameter's shape
 * and presence before making any tensor; it never evaluates code, and any
 * error leaves nothing half-loaded and nothing allocated (the network is
 * returned only once complete).
 */
import { decodeModelFile, encodeModelFile, type StoredTensor } from '@convnet-ts/simplenn';
import { type Backend, formatShape, ShapeError, shapesEqual, type Tensor, ValueError } from '@convnet-ts/tensor';
import { DagNN } from './dag-nn.js';
import { checkParamShapes, declaredShape } from './dag-params.js';
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

/**
 * Rebuilds a network saved by `saveDagNN` on `backend`. Custom layer classes are passed as factories by type name.
 *
 * Everything is checked before the first tensor is made: the structure, every
 * stored tensor against the parameter it fills (a parameter of the network, of
 * the shape its layers declare), and that either every parameter has a value
 * or none has (a network saved before `initParams`). If making a tensor fails
 * (the backend is out of memory, or disposed), the tensors already made are
 * disposed before the error is rethrown.
 */
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
  const meta = d.meta === undefined ? undefined : record(d.meta, 'meta');
  checkTensors(net, tensors);
  const made: Tensor[] = [];
  try {
    for (const t of tensors) {
      const value = own(backend.tensor(t.data, t.shape));
      made.push(value);
      net.setParam(t.name, value);
    }
  } catch (e) {
    for (const t of made) t.dispose();
    throw e;
  }
  if (meta !== undefined) net.meta = meta;
  return net;
}

/** Every stored tensor fills a parameter of its declared shape, and either every parameter has a value or none has. */
function checkTensors(net: DagNN, tensors: readonly StoredTensor[]): void {
  checkParamShapes(net.layers, net.params, 'loadDagNN');
  for (const t of tensors) {
    if (!net.params.has(t.name)) fail(`tensor '${t.name}' must be a parameter of the network, got no such parameter`);
    const declared = declaredShape(net.layers, t.name);
    if (declared && !shapesEqual(declared.shape, t.shape)) {
      throw new ShapeError('loadDagNN', 'bytes', `tensor '${t.name}' (a parameter of layer '${declared.layer}') must have shape ${formatShape(declared.shape)}, got ${formatShape(t.shape)}`);
    }
  }
  if (tensors.length === 0) return;
  const stored = new Set(tensors.map((t) => t.name));
  const missing = [...net.params.keys()].filter((name) => !stored.has(name));
  if (missing.length > 0) {
    const users = (name: string) => net.layers.filter((l) => l.params.includes(name)).map((l) => `'${l.name}'`).join(', ');
    fail(
      `every parameter must have a value when any has (a file saved before initParams has none), got no value for ${missing.map((m) => `'${m}' (of layer ${users(m)})`).join(', ')}`,
    );
  }
}
