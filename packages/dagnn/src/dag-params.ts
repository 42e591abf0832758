/**
 * Parameter bookkeeping of a `DagNN`: shape checks for shared parameters,
 * initialisation, moving between backends, and clearing values.
 */
import { BackendError, formatShape, type Rng, type Shape, ShapeError, shapesEqual, type Tensor } from '@convnet-ts/tensor';
import type { DagNN } from './dag-nn.js';
import { own, release } from './ownership.js';
import type { DagLayer, DagParam } from './structure.js';

/** The shape every layer using parameter `name` declares, if any. */
export function declaredShape(layers: readonly DagLayer[], name: string): { shape: Shape; layer: string } | undefined {
  for (const l of layers) {
    const i = l.params.indexOf(name);
    const s = i < 0 ? undefined : l.block.paramShapes()[i];
    if (s) return { shape: s, layer: l.name };
  }
  return undefined;
}

/** Throws when layers sharing a parameter declare different shapes, or disagree with its value. */
export function checkParamShapes(layers: readonly DagLayer[], params: ReadonlyMap<string, DagParam>, where: string): void {
  const seen = new Map<string, { shape: Shape; layer: string }>();
  for (const l of layers) {
    const shapes = l.block.paramShapes();
    l.params.forEach((p, i) => {
      const s = shapes[i];
      const value = params.get(p)?.value;
      if (s && value && !shapesEqual(s, value.shape)) {
        throw new ShapeError(where, 'params', `parameter '${p}' of layer '${l.name}' must have shape ${formatShape(s)}, got a value of shape ${formatShape(value.shape)}`);
      }
      const first = seen.get(p);
      if (s && first && !shapesEqual(s, first.shape)) {
        throw new ShapeError(
          where,
          'params',
          `parameter '${p}' shared by layers '${first.layer}' and '${l.name}' must have one shape, got ${formatShape(first.shape)} and ${formatShape(s)}`,
        );
      }
      if (s && !first) seen.set(p, { shape: s, layer: l.name });
    });
  }
}

/** Sets a parameter's value after checking it against its layers' declared shape and the backend. */
export function setParamValue(net: DagNN, p: DagParam, value: Tensor, where: string): void {
  const declared = declaredShape(net.layers, p.name);
  if (declared && !shapesEqual(declared.shape, value.shape)) {
    throw new ShapeError(where, p.name, `parameter '${p.name}' of layer '${declared.layer}' must have shape ${formatShape(declared.shape)}, got ${formatShape(value.shape)}`);
  }
  if (value.backend !== net.backend) {
    throw new BackendError(where, p.name, `parameter '${p.name}' must live on the network's ${net.backend.name} backend, got a tensor on ${value.backend.name}`);
  }
  if (p.value !== value) release(p.value);
  p.value = value;
}

/** Each layer's `initParams`, in execution order; a shared parameter is initialised by its first layer. */
export function initParams(net: DagNN, rng: Rng): void {
  const done = new Set<string>();
  for (const l of net.getLayerExecutionOrder()) {
    if (l.params.every((p) => done.has(p))) continue;
    const values = l.block.initParams(rng, net.backend);
    l.params.forEach((p, i) => {
      const v = values[i];
      if (done.has(p) || !v) {
        v?.dispose();
        return;
      }
      setParamValue(net, net.getParam(p), own(v), 'DagNN.initParams');
      done.add(p);
    });
  }
}

/**
 * Clears values and derivatives (disposing what the network made) and, unless
 * told otherwise, the parameters' derivatives and the layers' state.
 */
export function resetValues(net: DagNN, opts: { paramDers?: boolean; layers?: boolean } = {}): void {
  for (const v of net.vars.values()) {
    release(v.value);
    release(v.der);
    v.value = null;
    v.der = null;
  }
  if (opts.paramDers !== false) {
    for (const p of net.params.values()) {
      release(p.der);
      p.der = null;
    }
  }
  if (opts.layers !== false) for (const l of net.layers) l.block.reset();
}

/** `reset`, then copies every parameter value to `backend`. */
export async function moveParams(net: DagNN, backend: DagNN['backend']): Promise<void> {
  resetValues(net);
  for (const p of net.params.values()) {
    if (!p.value) continue;
    const data = await p.value.data();
    const moved = own(backend.tensor(data, p.value.shape));
    release(p.value);
    p.value = moved;
  }
  net.backend = backend;
}
