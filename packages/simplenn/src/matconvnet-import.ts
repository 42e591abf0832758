/**
 * `loadMatConvNet(source, backend, opts?)` — a MatConvNet SimpleNN model
 * (matconvnet-api §7.1) as a tidy convnet-ts `SimpleNN`, doing what
 * `load` + `vl_simplenn_tidy` do in MATLAB.
 *
 * `source` is the bytes of a MAT-file, a `MatFile` from `readMat`, or the net
 * struct itself. A file may hold the net's fields as variables (as
 * MatConvNet saves models: `save(file, '-struct', 'net')`: `layers`, and
 * `meta` or the legacy `normalization` / `classes`), or one variable `net`
 * (as `cnn_train`'s checkpoints `net-epoch-N.mat`, beside `state`/`stats`,
 * which are ignored and noted). Paths in errors and notes name the net
 * `net` either way: `net.layers{7}.weights{1}`.
 *
 * Everything is checked before a tensor is made (see
 * `matconvnet-layer-import.ts` for the layers and `matconvnet-meta.ts` for
 * `meta`); weights become float32 tensors on `backend` (weights saved as
 * double are rounded, and noted). The returned `notes` list what was
 * upgraded, assumed or dropped; nothing is dropped without a note.
 */
import { asCell, describe, type MatFile, MatFileError, type MatValue, readMat } from '@convnet-ts/matfile';
import type { Backend, Tensor } from '@convnet-ts/tensor';
import type { WeightPlan } from './matconvnet-fields.js';
import { importLayer, type LayerPlan } from './matconvnet-layer-import.js';
import { importMeta } from './matconvnet-meta.js';
import type { SimpleNNSpec } from './layer-spec.js';
import type { SimpleNN } from './layer-types.js';
import { tidy } from './tidy.js';

const LOAD = 'loadMatConvNet';
const ROOT = 'net';
const NET_FIELDS = ['layers', 'meta', 'classes', 'normalization'];

export interface LoadMatConvNetOptions {
  /** The variable holding the net struct, for files that hold several (default: the file's `layers`, else its `net`). */
  variable?: string;
  /** Largest nesting depth of cells and structs `readMat` accepts (its default 64). */
  maxDepth?: number;
}

export interface MatConvNetImport {
  /** The tidy network, its tensors on the given backend. */
  net: SimpleNN;
  /** What was upgraded, assumed or dropped on the way (`net.layers{2} (conv1, conv): filters/biases moved to weights …`). */
  notes: string[];
}

/** The SimpleNN of a MatConvNet model file (see the module doc). */
export function loadMatConvNet(source: Uint8Array | MatFile | MatValue, backend: Backend, opts: LoadMatConvNetOptions = {}): MatConvNetImport {
  const notes: string[] = [];
  const root = netRecord(source, opts, notes);
  const layersValue = root.layers;
  if (layersValue === undefined) throw new MatFileError('value', LOAD, ROOT, `expected a SimpleNN struct with a 'layers' cell, got fields ${Object.keys(root).join(', ') || '(none)'}`);
  if (layersValue.type === 'struct') {
    throw new MatFileError('unsupported', LOAD, `${ROOT}.layers`, `is a struct array (${describe(layersValue)}): this is a DagNN file; load it with loadDagNN of @convnet-ts/dagnn`);
  }
  const extra = Object.keys(root).filter((k) => !NET_FIELDS.includes(k));
  if (extra.length > 0) notes.push(`${ROOT}: ${extra.join(', ')} dropped (not part of a SimpleNN)`);
  const plans = asCell(layersValue, `${ROOT}.layers`, LOAD).map((v, i) => importLayer(v, `${ROOT}.layers{${i + 1}}`, i + 1, notes));
  const meta = importMeta(root, ROOT, notes);
  const doubles = plans.flatMap((p, i) => ((p.weights ?? []).some((w) => w?.wasDouble) ? [`{${i + 1}}`] : []));
  if (doubles.length > 0) notes.push(`${ROOT}.layers${doubles.join(', ')}: weights stored as double, rounded to float32`);
  return { net: allocate(plans, meta, backend), notes };
}

/** The net struct's fields, from whichever form `source` has. */
function netRecord(source: Uint8Array | MatFile | MatValue, opts: LoadMatConvNetOptions, notes: string[]): Record<string, MatValue> {
  if (source instanceof Uint8Array) return fromFile(readMat(source, opts.maxDepth === undefined ? {} : { maxDepth: opts.maxDepth }), opts, notes);
  if (typeof source === 'object' && source !== null && 'variables' in source && Array.isArray(source.variables)) return fromFile(source, opts, notes);
  const v = source as MatValue;
  if (typeof v !== 'object' || v === null || v.type !== 'struct' || v.data.length !== 1) {
    throw new MatFileError('value', LOAD, ROOT, `expected the bytes of a MAT-file, a MatFile or a 1×1 net struct, got ${typeof v === 'object' && v !== null && 'type' in v ? describe(v) : typeof v}`);
  }
  return v.data[0]!;
}

function fromFile(file: MatFile, opts: LoadMatConvNetOptions, notes: string[]): Record<string, MatValue> {
  const vars = new Map(file.variables.map((v) => [v.name, v.value]));
  const names = [...vars.keys()];
  const one = (name: string): Record<string, MatValue> => {
    const v = vars.get(name)!;
    if (v.type !== 'struct' || v.data.length !== 1) throw new MatFileError('value', LOAD, name, `expected the net as a 1×1 struct, got ${describe(v)}`);
    const others = names.filter((n) => n !== name);
    if (others.length > 0) notes.push(`variables ${others.join(', ')} ignored (the net is variable '${name}')`);
    return v.data[0]!;
  };
  if (opts.variable !== undefined) {
    if (!vars.has(opts.variable)) throw new MatFileError('value', LOAD, opts.variable, `no such variable; the file holds ${names.join(', ') || 'none'}`);
    return one(opts.variable);
  }
  if (vars.has('layers')) {
    // save(file, '-struct', 'net'): the variables are the net's fields.
    return Object.fromEntries(file.variables.map((v) => [v.name, v.value]));
  }
  if (vars.has('net')) return one('net');
  throw new MatFileError('value', LOAD, '', `expected a SimpleNN file (variables 'layers' and 'meta', or one variable 'net'), got variables ${names.join(', ') || '(none)'}`);
}

/** Makes the tensors and tidies the net; on failure disposes what it made. */
function allocate(plans: LayerPlan[], meta: SimpleNN['meta'], backend: Backend): SimpleNN {
  const made: Tensor[] = [];
  const make = (w: WeightPlan | null): Tensor | null => {
    if (!w) return null;
    const t = backend.tensor(w.data, w.shape);
    made.push(t);
    return t;
  };
  try {
    const layers = plans.map(({ spec, weights, tensors }) => {
      const out: Record<string, unknown> = { ...spec };
      if (weights) out.weights = weights.map(make);
      for (const [k, w] of Object.entries(tensors)) out[k] = make(w);
      return out;
    });
    return tidy({ layers, meta } as unknown as SimpleNNSpec);
  } catch (e) {
    for (const t of made) t.dispose();
    throw e;
  }
}
