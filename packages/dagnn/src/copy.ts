/**
 * `DagNN.copy()` — MatConvNet's `copy(net)` (DagNN.m lines 40-45: a deep
 * copy through `saveobj`/`loadobj`): the same layers (each rebuilt as
 * `new (its class)(layer.options())`, the `Layer` contract, so custom
 * layers copy too), the same parameter values (fresh tensors on the same
 * backend, exact copies), factors and `precious` flags, and a copy of
 * `meta`; variables start empty and layers without state.
 *
 * Decisions: the copy keeps `mode`, `conserveMemory`, `accumulateParamDers`
 * and `bnormMomentsDer` (MatConvNet's transient properties return to their
 * defaults), stays on the network's backend (MatConvNet's copy is always on
 * the CPU) and leaves the original untouched (MatConvNet resets it).
 */
import { ValueError } from '@convnet-ts/tensor';
import type { DagNN } from './dag-nn.js';
import { Layer } from './layer.js';
import { own } from './ownership.js';

type LayerClass = new (options: Record<string, unknown>) => Layer;

/** Fills the empty network `to` with a copy of `from` (see the file's doc comment). */
export function copyInto(from: DagNN, to: DagNN): DagNN {
  for (const l of from.layers) {
    const block = new (l.block.constructor as LayerClass)(l.block.options());
    if (!(block instanceof Layer) || block.type !== l.block.type) {
      throw new ValueError('DagNN.copy', `layers.${l.name}`, `layer '${l.name}' (${l.block.type}) must be rebuilt by new ${l.block.constructor.name}(options()), got ${String(block?.type)}`);
    }
    to.addLayer(l.name, block, l.inputs, l.outputs, l.params);
  }
  for (const p of from.params.values()) {
    const q = to.getParam(p.name, 'DagNN.copy');
    q.learningRate = p.learningRate;
    q.weightDecay = p.weightDecay;
    q.trainMethod = p.trainMethod;
    if (p.value) to.setParam(p.name, own(p.value.backend.run('Unary', { x: p.value }, { op: 'scale', alpha: 1 })));
  }
  for (const v of from.vars.values()) to.getVar(v.name, 'DagNN.copy').precious = v.precious;
  to.meta = structuredClone(from.meta);
  to.mode = from.mode;
  to.conserveMemory = from.conserveMemory;
  to.accumulateParamDers = from.accumulateParamDers;
  to.bnormMomentsDer = from.bnormMomentsDer;
  return to;
}
