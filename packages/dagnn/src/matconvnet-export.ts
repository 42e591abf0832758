/**
 * `saveMatConvNetDag(net, opts?)` — a convnet-ts `DagNN` as a MatConvNet
 * DagNN MAT-file: the struct `dagnn.DagNN.saveobj` makes (matconvnet-api
 * §7.2), one variable per field as the zoo's files hold it
 * (`save(file, '-struct', 'net')`), so that MatConvNet's
 * `net = dagnn.DagNN.loadobj(load(file))` rebuilds the network:
 *
 * - `vars`: `name`, `precious`;
 * - `params`: `name`, `value` (MATLAB's layout, `single` by default),
 *   `learningRate`, `weightDecay`, and `trainMethod` (which `saveobj` omits but
 *   `loadobj` copies like every other field, so BatchNorm moments stay averaged);
 * - `layers`: `name`, `type` (`'dagnn.Conv'`…; a custom layer's own `type`),
 *   `inputs`, `outputs`, `params`, `block` (every property the class saves in
 *   MatConvNet's current master, `matconvnet-blocks.ts`; a custom layer's
 *   `options()` through `jsonToMat`);
 * - `meta` (`exportMeta` of @convnet-ts/simplenn).
 *
 * `toMatConvNetDag(net)` gives the same fields as MAT values, for callers
 * that write the file themselves. Parameter values are read synchronously, so
 * the network must be on the CPU (`await net.move(cpu)` first).
 */
import { type MatValue, matCellOfStrings, matChar, matDouble, matLogical, matNumeric, matStruct, matStructArray, writeMat } from '@convnet-ts/matfile';
import { exportMeta, jsonToMat, type Meta } from '@convnet-ts/simplenn';
import { type Tensor, ValueError } from '@convnet-ts/tensor';
import type { DagNN } from './dag-nn.js';
import { AFFINE_INVERSE, permuteAffineFeeds } from './matconvnet-affine.js';
import { BLOCK_CODECS } from './matconvnet-blocks.js';
import { fromTensorData, type ParamLayout } from './matconvnet-layout.js';

const SAVE = 'saveMatConvNetDag';

export interface SaveMatConvNetDagOptions {
  /** MATLAB class of the parameter values: `'single'` (default, as MatConvNet's models) or `'double'`. */
  precision?: 'single' | 'double';
  /** zlib-compress each variable (`save -v7`, default true) or not (`-v6`). */
  compress?: boolean;
}

function readValues(t: Tensor): Float64Array {
  if (!t.backend.readSync) throw new ValueError(SAVE, 'net', `parameters must be readable synchronously (move the network to the CPU first), got the ${t.backend.name} backend`);
  return Float64Array.from(t.backend.readSync(t));
}

/** The fields of MatConvNet's saveobj struct for `net` (see the module doc). */
export function toMatConvNetDag(net: DagNN, opts: SaveMatConvNetDagOptions = {}): Record<string, MatValue> {
  const precision = opts.precision ?? 'single';
  if (precision !== 'single' && precision !== 'double') throw new ValueError(SAVE, 'precision', `precision must be 'single' or 'double', got ${JSON.stringify(precision)}`);
  const layouts = new Map<string, ParamLayout>();
  const layers = net.layers.map((l, i) => {
    const codec = Object.hasOwn(BLOCK_CODECS, l.block.type) ? BLOCK_CODECS[l.block.type] : undefined;
    l.params.forEach((p, k) => {
      if (!layouts.has(p)) layouts.set(p, codec?.layouts?.[k] ?? 'same');
    });
    const block = codec ? matStruct(codec.write(l.block.options())) : jsonToMat(l.block.options() as never, `net.layers(${i + 1}).block`, SAVE);
    return {
      name: matChar(l.name),
      type: matChar(codec ? `dagnn.${l.block.type}` : l.block.type),
      inputs: matCellOfStrings(l.inputs),
      outputs: matCellOfStrings(l.outputs),
      params: matCellOfStrings(l.params),
      block,
    };
  });
  const values = new Map<string, Float64Array>();
  for (const p of net.params.values()) if (p.value) values.set(p.name, readValues(p.value));
  permuteAffineFeeds(net, AFFINE_INVERSE, (name) => values.get(name), null, SAVE);
  const params = [...net.params.values()].map((p) => {
    let value: MatValue = matNumeric(precision, precision === 'single' ? new Float32Array(0) : new Float64Array(0), [0, 0]);
    const data = values.get(p.name);
    if (p.value && data) {
      const out = precision === 'single' ? new Float32Array(data.length) : new Float64Array(data.length);
      const m = fromTensorData(data, p.value.shape, layouts.get(p.name) ?? 'same', out);
      value = matNumeric(precision, m.data, m.dims);
    }
    return { name: matChar(p.name), value, learningRate: matDouble(p.learningRate), weightDecay: matDouble(p.weightDecay), trainMethod: matChar(p.trainMethod) };
  });
  const vars = [...net.vars.values()].map((v) => ({ name: matChar(v.name), precious: matLogical(v.precious) }));
  const structs = <T extends Record<string, MatValue>>(fields: string[], records: T[]) => (records.length === 0 ? matStructArray(fields, [], [0, 0]) : matStructArray(fields, records));
  return {
    vars: structs(['name', 'precious'], vars),
    params: structs(['name', 'value', 'learningRate', 'weightDecay', 'trainMethod'], params),
    layers: structs(['name', 'type', 'inputs', 'outputs', 'params', 'block'], layers),
    meta: exportMeta(net.meta as Meta),
  };
}

/** A MAT-file (`-v7` by default) of `net` that MatConvNet's `dagnn.DagNN.loadobj(load(file))` accepts. */
export function saveMatConvNetDag(net: DagNN, opts: SaveMatConvNetDagOptions = {}): Uint8Array {
  for (const k of Object.keys(opts)) {
    if (k !== 'precision' && k !== 'compress') throw new ValueError(SAVE, k, `unknown option '${k}' (known: precision, compress)`);
  }
  return writeMat(toMatConvNetDag(net, opts), { compress: opts.compress ?? true });
}
