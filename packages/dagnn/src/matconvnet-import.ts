/**
 * `loadMatConvNetDag(source, backend, opts?)` — a MatConvNet DagNN model
 * (the struct `dagnn.DagNN.saveobj` returns, matconvnet-api §7.2) as a
 * convnet-ts `DagNN`, doing what `dagnn.DagNN.loadobj(load(file))` does.
 *
 * `source` is the bytes of a MAT-file, a `MatFile` from `readMat`, or the
 * struct itself. A file may hold the struct's fields as variables (the zoo's
 * `save(file, '-struct', 'net')`: `vars`, `params`, `layers`, `meta`) or one
 * variable `net` (`cnn_train_dag`'s checkpoints `net-epoch-N.mat`, beside
 * `state` and `stats`, which are ignored with a note). Paths in errors and
 * notes name the struct `net`: `net.layers(7)`, `net.params(3).value`.
 *
 * The struct: `layers(i)` has `name`, `type` (`'dagnn.Conv'`…), `inputs`,
 * `outputs`, `params` (cells of names) and `block` (the class's saved
 * properties, read by the codecs of `matconvnet-blocks.ts`); `params(j)` has
 * `name`, `value` (MATLAB's array, converted by `matconvnet-layout.ts`),
 * `learningRate`, `weightDecay` and, when present, `trainMethod`; `vars(k)`
 * has `name` and `precious`; `meta` is kept as JSON (`importMeta` of
 * @convnet-ts/simplenn, so `preprocess` reads the same `normalization`).
 * Custom classes (`mylib.Foo`) are built by the factories in `opts.layers`,
 * keyed by the class name, from the block struct as JSON.
 *
 * Everything is checked before a tensor is made; on failure nothing is left
 * allocated. Parameters keep the class of their values' precision on the
 * backend's dtype (single → float32; double is exact on a float64 backend).
 */
import { asCell, asStruct, asStructArray, asText, describe, field, isEmpty, type MatFile, MatFileError, type MatValue, readMat } from '@convnet-ts/matfile';
import { importMeta, matToJson } from '@convnet-ts/simplenn';
import type { Backend, Shape, Tensor } from '@convnet-ts/tensor';
import { declaredShape } from './dag-params.js';
import { DagNN } from './dag-nn.js';
import type { Layer } from './layer.js';
import { LAYER_TYPES, type LayerFactory } from './layers/registry.js';
import { fixAffineGrids } from './matconvnet-affine.js';
import { BLOCK_CODECS, defined, type ReadContext } from './matconvnet-blocks.js';
import { BlockFields, fail, IMPORTER, Notes } from './matconvnet-fields.js';
import { allocFor, fitsLayout, matlabDims, type ParamLayout, toTensorData } from './matconvnet-layout.js';
import { own } from './ownership.js';

const ROOT = 'net';

export interface LoadMatConvNetDagOptions {
  /** The variable holding the struct, for files that hold several (default: the file's `layers`, else its `net`). */
  variable?: string;
  /** Largest nesting depth of cells and structs `readMat` accepts (its default 64). */
  maxDepth?: number;
  /** Factories of custom layer classes, by MatConvNet class name (`'mylib.Foo'`); each gets the block struct as JSON. */
  layers?: Readonly<Record<string, LayerFactory>>;
}

export interface MatConvNetDagImport {
  /** The network, every parameter with its value on the given backend. */
  net: DagNN;
  /** What was filled in, assumed or dropped, one line per kind, naming the layers. */
  notes: string[];
}

interface ParamRecord {
  index: number;
  value: MatValue | undefined;
  rec: Readonly<Record<string, MatValue>>;
}

/** The DagNN of a MatConvNet DagNN model (see the module doc). */
export function loadMatConvNetDag(source: Uint8Array | MatFile | MatValue, backend: Backend, opts: LoadMatConvNetDagOptions = {}): MatConvNetDagImport {
  const notes = new Notes();
  const root = netRecord(source, opts, notes);
  const layersValue = field(root, 'layers') ?? fail(ROOT, `expected a DagNN struct with a 'layers' struct array, got fields ${Object.keys(root).join(', ') || '(none)'}`);
  if (layersValue.type === 'cell') {
    throw new MatFileError('unsupported', IMPORTER, `${ROOT}.layers`, `is a cell (${describe(layersValue)}): this is a SimpleNN file; load it with loadMatConvNet of @convnet-ts/simplenn (and fromSimpleNN for a DagNN)`);
  }
  const params = paramRecords(root, notes);
  const net = new DagNN(backend);
  const layerRecords = asStructArray(layersValue, `${ROOT}.layers`, IMPORTER);
  const layouts = new Map<string, ParamLayout>();
  layerRecords.forEach((rec, i) => {
    addLayer(net, rec, `${ROOT}.layers(${i + 1})`, params, opts, notes, layouts);
  });
  for (const [name, p] of params) {
    if (!net.params.has(name)) notes.add(`${ROOT}.params(${p.index + 1}) '${name}' dropped (no layer uses it)`);
  }
  const plans = planValues(net, params, layouts, notes);
  fixAffineGrids(net, plans, notes);
  readVars(net, root, notes);
  const extra = Object.keys(root).filter((k) => !['vars', 'params', 'layers', 'meta'].includes(k));
  if (extra.length > 0) notes.add(`${ROOT}: fields ${extra.join(', ')} dropped (not part of a DagNN)`);
  const metaNotes: string[] = [];
  const meta = field(root, 'meta') === undefined ? {} : importMeta({ meta: root.meta! }, ROOT, metaNotes);
  for (const n of metaNotes) notes.add(n);
  net.meta = meta as Record<string, unknown>;
  allocate(net, plans, backend);
  return { net, notes: notes.list() };
}

/** The struct's fields, from whichever form `source` has. */
function netRecord(source: Uint8Array | MatFile | MatValue, opts: LoadMatConvNetDagOptions, notes: Notes): Readonly<Record<string, MatValue>> {
  if (source instanceof Uint8Array) return fromFile(readMat(source, opts.maxDepth === undefined ? {} : { maxDepth: opts.maxDepth }), opts, notes);
  if (typeof source === 'object' && source !== null && 'variables' in source && Array.isArray(source.variables)) return fromFile(source, opts, notes);
  const v = source as MatValue;
  if (typeof v !== 'object' || v === null || v.type !== 'struct' || v.data.length !== 1) {
    fail(ROOT, `expected the bytes of a MAT-file, a MatFile or a 1×1 DagNN struct, got ${typeof v === 'object' && v !== null && 'type' in v ? describe(v) : typeof v}`);
  }
  return v.data[0]!;
}

function fromFile(file: MatFile, opts: LoadMatConvNetDagOptions, notes: Notes): Readonly<Record<string, MatValue>> {
  const vars = new Map(file.variables.map((v) => [v.name, v.value]));
  const names = [...vars.keys()];
  const one = (name: string) => {
    const others = names.filter((n) => n !== name);
    if (others.length > 0) notes.add(`variables ${others.join(', ')} ignored (the net is variable '${name}')`);
    return asStruct(vars.get(name), name, IMPORTER);
  };
  if (opts.variable !== undefined) {
    if (!vars.has(opts.variable)) fail(opts.variable, `no such variable; the file holds ${names.join(', ') || 'none'}`);
    return one(opts.variable);
  }
  if (vars.has('layers')) return Object.fromEntries(file.variables.map((v) => [v.name, v.value]));
  if (vars.has('net')) return one('net');
  return fail('', `expected a DagNN file (variables 'layers', 'params', 'vars', 'meta', or one variable 'net'), got variables ${names.join(', ') || '(none)'}`);
}

function paramRecords(root: Readonly<Record<string, MatValue>>, notes: Notes): Map<string, ParamRecord> {
  const out = new Map<string, ParamRecord>();
  const v = field(root, 'params');
  if (v === undefined || isEmpty(v)) return out;
  asStructArray(v, `${ROOT}.params`, IMPORTER).forEach((rec, index) => {
    const path = `${ROOT}.params(${index + 1})`;
    const name = asText(field(rec, 'name'), `${path}.name`, IMPORTER);
    if (out.has(name)) fail(`${path}.name`, `parameter '${name}' appears twice (first as params(${out.get(name)!.index + 1}))`);
    const value = field(rec, 'value');
    out.set(name, { index, value: value === undefined || isEmpty(value) ? undefined : value, rec });
    for (const f of Object.keys(rec)) {
      if (!['name', 'value', 'learningRate', 'weightDecay', 'trainMethod'].includes(f)) notes.add(`${ROOT}.params: field ${f} dropped (not saved by MatConvNet's saveobj)`);
    }
  });
  return out;
}

const names = (v: MatValue | undefined, path: string): string[] => asCell(v, path, IMPORTER).map((c, i) => asText(c, `${path}{${i + 1}}`, IMPORTER));

function addLayer(
  net: DagNN,
  rec: Readonly<Record<string, MatValue>>,
  path: string,
  params: ReadonlyMap<string, ParamRecord>,
  opts: LoadMatConvNetDagOptions,
  notes: Notes,
  layouts: Map<string, ParamLayout>,
): void {
  const name = asText(field(rec, 'name'), `${path}.name`, IMPORTER);
  const type = asText(field(rec, 'type'), `${path}.type`, IMPORTER);
  const inputs = names(field(rec, 'inputs'), `${path}.inputs`);
  const outputs = names(field(rec, 'outputs'), `${path}.outputs`);
  const paramNames = field(rec, 'params') === undefined ? [] : names(field(rec, 'params'), `${path}.params`);
  const blockValue = field(rec, 'block');
  const blockFields = blockValue === undefined || isEmpty(blockValue) ? {} : asStruct(blockValue, `${path}.block`, IMPORTER);
  const custom = opts.layers && Object.hasOwn(opts.layers, type) ? opts.layers[type] : undefined;
  const bare = type.startsWith('dagnn.') ? type.slice('dagnn.'.length) : '';
  const codec = custom ? undefined : Object.hasOwn(BLOCK_CODECS, bare) ? BLOCK_CODECS[bare] : undefined;
  const where = `${path} '${name}'`;
  let block: Layer;
  try {
    if (custom) block = custom(blockValue === undefined || isEmpty(blockValue) ? {} : (matToJson(blockValue) as Record<string, unknown>));
    else if (codec) {
      const b = new BlockFields(blockFields, `${path}.block`, name, bare, notes);
      const ctx: ReadContext = {
        params: paramNames,
        inputs,
        paramDims: (i) => {
          const p = paramNames[i] === undefined ? undefined : params.get(paramNames[i]!);
          return p?.value?.dims;
        },
      };
      const options = codec.read(b, ctx);
      b.finish({ opts: 'no options left after the ones convnet-ts reads', useShortCircuit: 'a memory shortcut of MatConvNet', numInputs: 'transient, counted from the inputs', ignoreAverage: 'the running average is the trainer’s', normalise: 'it only scales the running average', loss: "PDist's loss is always 'pdist'" });
      block = LAYER_TYPES[bare]!(defined(options));
    } else {
      fail(path, `layer '${name}' has type '${type}', which is not a DagNN layer class convnet-ts knows (${Object.keys(BLOCK_CODECS).map((t) => `dagnn.${t}`).join(', ')}); pass a factory in opts.layers ({ '${type}': (block) => new YourLayer(…) })`);
    }
  } catch (e) {
    if (e instanceof MatFileError) throw e;
    throw new MatFileError('value', IMPORTER, where, e instanceof Error ? e.message : String(e));
  }
  try {
    net.addLayer(name, block, inputs, outputs, paramNames);
  } catch (e) {
    throw new MatFileError('value', IMPORTER, where, e instanceof Error ? e.message : String(e));
  }
  const roles = codec?.layouts ?? [];
  paramNames.forEach((p, i) => {
    if (!layouts.has(p)) layouts.set(p, roles[i] ?? 'same');
  });
}

/** One parameter's value, checked and laid out, before it becomes a tensor. */
export interface ValuePlan {
  name: string;
  shape: Shape;
  data: Float32Array | Float64Array;
}

function planValues(net: DagNN, params: ReadonlyMap<string, ParamRecord>, layouts: ReadonlyMap<string, ParamLayout>, notes: Notes): ValuePlan[] {
  const plans: ValuePlan[] = [];
  for (const [name, p] of params) {
    const rec = net.params.get(name);
    if (!rec) continue;
    const path = `${ROOT}.params(${p.index + 1})`;
    readFactors(rec, p, path, notes);
    const v = p.value;
    if (v === undefined) {
      notes.add(`${path} '${name}' has no value (initialise it with initParams)`);
      continue;
    }
    if (v.type !== 'numeric' && v.type !== 'logical') fail(`${path}.value`, `expected a numeric array, got ${describe(v)}`);
    const layout = layouts.get(name) ?? 'same';
    const declared = declaredShape(net.layers, name);
    const shape = declared?.shape ?? matlabDims(v.dims);
    if (!fitsLayout(v.dims, shape, layout)) {
      fail(`${path}.value`, `parameter '${name}' of layer '${declared?.layer}' must be a MATLAB array fitting [${shape.join(', ')}] (${layout === 'vector' ? 'a vector' : layout === 'map' ? 'H×W×C×N' : 'the same dims'}), got ${describe(v)}`);
    }
    const data = v.data as ArrayLike<number | bigint>;
    const values = typeof data[0] === 'bigint' ? Array.from(data, Number) : (data as ArrayLike<number>);
    plans.push({ name, shape, data: toTensorData(values, v.dims, layout, allocFor(v.type === 'numeric' ? v.class : 'double', values.length)) });
  }
  for (const name of net.params.keys()) {
    if (!params.has(name)) notes.add(`${ROOT}.params has no '${name}', which layer '${declaredShape(net.layers, name)?.layer ?? '?'}' uses (initialise it with initParams)`);
  }
  return plans;
}

function readFactors(rec: { learningRate: number; weightDecay: number; trainMethod: 'gradient' | 'average' }, p: ParamRecord, path: string, notes: Notes): void {
  for (const f of ['learningRate', 'weightDecay'] as const) {
    const v = field(p.rec, f);
    if (v === undefined || isEmpty(v)) {
      notes.add(`${ROOT}.params: ${f} missing; the layer's default used (1, or BatchNorm's for moments)`);
      continue;
    }
    if ((v.type !== 'numeric' && v.type !== 'logical') || v.data.length !== 1) fail(`${path}.${f}`, `expected a scalar, got ${describe(v)}`);
    rec[f] = Number(v.data[0]);
  }
  const t = field(p.rec, 'trainMethod');
  if (t !== undefined && !isEmpty(t)) {
    const m = asText(t, `${path}.trainMethod`, IMPORTER);
    if (m !== 'gradient' && m !== 'average') fail(`${path}.trainMethod`, `expected 'gradient' or 'average', got '${m}'`);
    rec.trainMethod = m;
  }
}

function readVars(net: DagNN, root: Readonly<Record<string, MatValue>>, notes: Notes): void {
  const v = field(root, 'vars');
  if (v === undefined || isEmpty(v)) return;
  asStructArray(v, `${ROOT}.vars`, IMPORTER).forEach((rec, i) => {
    const path = `${ROOT}.vars(${i + 1})`;
    const name = asText(field(rec, 'name'), `${path}.name`, IMPORTER);
    const target = net.vars.get(name);
    if (!target) {
      notes.add(`${ROOT}.vars(${i + 1}) '${name}' dropped (no layer reads or writes it)`);
      return;
    }
    const precious = field(rec, 'precious');
    if (precious !== undefined && !isEmpty(precious)) {
      if ((precious.type !== 'numeric' && precious.type !== 'logical') || precious.data.length !== 1) fail(`${path}.precious`, `expected true or false, got ${describe(precious)}`);
      target.precious = Number(precious.data[0]) !== 0;
    }
  });
}

/** Makes every tensor; on failure disposes the ones made. */
function allocate(net: DagNN, plans: readonly ValuePlan[], backend: Backend): void {
  const made: Tensor[] = [];
  try {
    for (const p of plans) {
      const t = own(backend.tensor(p.data, p.shape));
      made.push(t);
      net.setParam(p.name, t);
    }
  } catch (e) {
    for (const t of made) t.dispose();
    throw e;
  }
}
