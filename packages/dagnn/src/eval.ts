/**
 * `DagNN.eval` (api §3.1, "Evaluation semantics"): a forward pass over the
 * execution order, then — when output derivatives are given — a backward
 * pass in reverse order.
 *
 * - Sub-networks (MatConvNet's `dagnn.Layer.forwardAdvanced`, Layer.m
 *   lines 64-70): a layer with an input that has no value (not given, or
 *   written by a skipped layer) is skipped and its outputs stay empty, so a
 *   trained network runs without its labels. Only a variable given no value
 *   counts as missing (MatConvNet also skips on an empty array; here an
 *   empty label list reaches the layer, which rejects it). Asking for the
 *   derivative of an output that was not computed throws, naming the chain
 *   of skipped layers back to the missing input.
 * - Variable derivatives are summed over the layers that read the variable
 *   (fan-out); parameter derivatives over the layers that share it. When
 *   derivatives are computed, parameter derivatives start from zero unless
 *   `accumulateParamDers` (Layer.m lines 139-146); a forward-only eval leaves
 *   them as they are.
 * - `conserveMemory`: in a forward-only eval, a variable is cleared once its
 *   last reader has run (only outputs keep values); in the backward pass a
 *   layer's outputs (value and derivative) are cleared after its backward
 *   (only the network inputs keep values). `precious` variables are kept.
 * - Every error names the layer and variable: missing inputs, unknown names,
 *   parameters without values, derivatives of the wrong shape.
 */
import { BackendError, formatShape, isTensor, OptionError, ShapeError, shapesEqual, type Tensor, ValueError } from '@convnet-ts/tensor';
import type { DagNN } from './dag-nn.js';
import { resetValues } from './dag-params.js';
import type { LayerContext, VarValue } from './layer.js';
import { describeLayer, inLayer } from './layer-errors.js';
import { own, release } from './ownership.js';
import type { DagLayer } from './structure.js';

const WHERE = 'DagNN.eval';

/** A fresh handle when `t` is already held elsewhere (a layer returning its input), so each slot owns its tensor. */
function distinct(t: Tensor, held: Set<Tensor>): Tensor {
  const out = held.has(t) ? t.reshape(t.shape) : t;
  held.add(out);
  return out;
}

function checkInputs(net: DagNN, inputs: Readonly<Record<string, VarValue>>): void {
  if (typeof inputs !== 'object' || inputs === null) throw new OptionError(WHERE, 'inputs', `inputs must be an object of variable values, got ${String(inputs)}`);
  for (const [name, value] of Object.entries(inputs)) {
    const v = net.vars.get(name);
    if (!v) throw new ValueError(WHERE, 'inputs', `inputs must name variables of the network, got '${name}'`);
    if (v.fanin > 0) {
      const by = net.layers.find((l) => l.outputs.includes(name))!.name;
      throw new ValueError(WHERE, 'inputs', `inputs must name input variables, got '${name}', which layer '${by}' writes`);
    }
    if (isTensor(value) && value.backend !== net.backend) {
      throw new BackendError(WHERE, name, `input '${name}' must live on the network's ${net.backend.name} backend, got a tensor on ${value.backend.name}; use net.move()`);
    }
  }
}

function layerInputs(net: DagNN, l: DagLayer): VarValue[] {
  return l.inputs.map((v) => {
    const value = net.vars.get(v)!.value;
    if (value === null) throw new ValueError(WHERE, 'inputs', `${describeLayer(l)} needs variable '${v}', got no value (give it in inputs)`);
    return value;
  });
}

/** Why each variable of a skipped layer has no value, for the error of a requested output. */
type Skipped = Map<string, string>;

/** Why variable `v` has no value: an input nobody gave, or the layer that was skipped. */
function whyMissing(net: DagNN, skipped: Skipped, v: string): string {
  return skipped.get(v) ?? (net.vars.get(v)!.fanin === 0 ? `variable '${v}' was not given in inputs` : `variable '${v}' has no value`);
}

function layerParams(net: DagNN, l: DagLayer): Tensor[] {
  return l.params.map((p) => {
    const value = net.params.get(p)!.value;
    if (!value) throw new ValueError(WHERE, 'params', `parameter '${p}' of layer '${l.name}' must have a value (initParams or setParam), got none`);
    return value;
  });
}

function forward(net: DagNN, ctx: LayerContext, clear: boolean, skipped: Skipped): void {
  const pending = new Map([...net.vars.values()].map((v) => [v.name, v.fanout]));
  for (const l of net.getLayerExecutionOrder()) {
    const absent = l.inputs.find((v) => net.vars.get(v)!.value === null);
    if (absent !== undefined) {
      const why = `layer '${l.name}' (${l.block.type}) was skipped because ${whyMissing(net, skipped, absent)}`;
      for (const v of l.outputs) skipped.set(v, `${why}, so variable '${v}' has no value`);
      continue;
    }
    const ins = layerInputs(net, l);
    const ps = layerParams(net, l);
    const outs = inLayer(WHERE, l, () => l.block.forward(ins, ps, ctx));
    if (!Array.isArray(outs) || outs.length !== l.outputs.length || !outs.every((t) => isTensor(t))) {
      throw new ValueError(WHERE, 'outputs', `${describeLayer(l)} must return ${l.outputs.length} output tensor(s), got ${String(outs)}`);
    }
    const held = new Set<Tensor>([...ins.filter((x): x is Tensor => isTensor(x)), ...ps]);
    outs.forEach((t, j) => {
      net.vars.get(l.outputs[j]!)!.value = own(distinct(t, held));
    });
    if (!clear) continue;
    for (const name of l.inputs) {
      const left = pending.get(name)! - 1;
      pending.set(name, left);
      const v = net.vars.get(name)!;
      if (left === 0 && !v.precious) {
        release(v.value);
        v.value = null;
      }
    }
  }
}

function accumulate(net: DagNN, current: Tensor | null, d: Tensor, shape: readonly number[], what: string, l: DagLayer): Tensor {
  if (!shapesEqual(d.shape, shape)) {
    throw new ShapeError(WHERE, what, `${describeLayer(l)} must return a derivative for ${what} of shape ${formatShape(shape)}, got ${formatShape(d.shape)}`);
  }
  own(d);
  if (!current) return d;
  const sum = own(net.backend.run('Axpby', { x: current, y: d }, { alpha: 1, beta: 1 }));
  release(current);
  release(d);
  return sum;
}

function backward(net: DagNN, ctx: LayerContext, derOutputs: Readonly<Record<string, number | Tensor>>, skipped: Skipped): void {
  for (const [name, d] of Object.entries(derOutputs)) {
    const v = net.vars.get(name);
    if (!v) throw new ValueError(WHERE, 'derOutputs', `derOutputs must name variables of the network, got '${name}'`);
    if (v.value === null) {
      throw new ValueError(WHERE, 'derOutputs', `derOutputs must name computed variables, got '${name}', which could not be computed: ${whyMissing(net, skipped, name)}`);
    }
    if (!isTensor(v.value)) throw new ValueError(WHERE, 'derOutputs', `derOutputs must name computed tensor variables, got '${name}'`);
    if (typeof d === 'number') v.der = own(net.backend.fill(v.value.shape, d));
    else if (isTensor(d) && shapesEqual(d.shape, v.value.shape)) v.der = d;
    else throw new ShapeError(WHERE, 'derOutputs', `derOutputs.${name} must be a number or a tensor of shape ${formatShape(v.value.shape)}, got ${isTensor(d) ? formatShape(d.shape) : String(d)}`);
  }
  const order = net.getLayerExecutionOrder();
  for (let k = order.length - 1; k >= 0; k--) {
    const l = order[k]!;
    const outVars = l.outputs.map((v) => net.vars.get(v)!);
    if (outVars.every((v) => v.der === null)) continue;
    const dOuts = outVars.map((v) => v.der ?? own(net.backend.zeros((v.value as Tensor).shape)));
    outVars.forEach((v, j) => {
      v.der = dOuts[j]!;
    });
    const ins = layerInputs(net, l);
    const ps = layerParams(net, l);
    const r = inLayer(WHERE, l, () => l.block.backward(ins, ps, dOuts, ctx));
    if (!r || !Array.isArray(r.derInputs) || r.derInputs.length !== ins.length || !Array.isArray(r.derParams) || r.derParams.length !== ps.length) {
      throw new ValueError(WHERE, 'derivatives', `${describeLayer(l)} must return ${ins.length} input and ${ps.length} parameter derivatives, got an invalid result`);
    }
    const held = new Set<Tensor>([...ins.filter((x): x is Tensor => isTensor(x)), ...ps, ...dOuts]);
    r.derInputs.forEach((d, i) => {
      const x = ins[i];
      if (!d || !isTensor(x)) return;
      const v = net.vars.get(l.inputs[i]!)!;
      v.der = accumulate(net, v.der, distinct(d, held), x.shape, `input '${v.name}'`, l);
    });
    r.derParams.forEach((d, i) => {
      if (!d) return;
      const p = net.params.get(l.params[i]!)!;
      p.der = accumulate(net, p.der, distinct(d, held), ps[i]!.shape, `parameter '${p.name}'`, l);
    });
    if (!net.conserveMemory) continue;
    for (const v of outVars) {
      if (v.precious) continue;
      release(v.value);
      release(v.der);
      v.value = null;
      v.der = null;
    }
  }
}

/** See the file's doc comment. */
export function evaluate(net: DagNN, inputs: Readonly<Record<string, VarValue>>, derOutputs?: Readonly<Record<string, number | Tensor>>): void {
  checkInputs(net, inputs);
  if (derOutputs !== undefined && (typeof derOutputs !== 'object' || derOutputs === null)) {
    throw new OptionError(WHERE, 'derOutputs', `derOutputs must be an object of output derivatives ({ objective: 1 }), got ${String(derOutputs)}`);
  }
  const withDer = derOutputs !== undefined && Object.keys(derOutputs).length > 0;
  resetValues(net, { paramDers: withDer && !net.accumulateParamDers, layers: false });
  for (const [name, value] of Object.entries(inputs)) net.vars.get(name)!.value = value;
  const ctx: LayerContext = { mode: net.mode, rng: net.rng, bnormMomentsDer: net.bnormMomentsDer };
  const skipped: Skipped = new Map();
  forward(net, ctx, net.conserveMemory && !withDer, skipped);
  if (withDer && derOutputs) backward(net, ctx, derOutputs, skipped);
}
