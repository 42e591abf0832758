/**
 * Sizes and receptive fields of a DagNN's variables (MatConvNet's
 * `getVarSizes` and `getVarReceptiveFields`, api §3.1 and §4).
 *
 * Sizes are full shapes `[N, H, W, C]` (MatConvNet's H×W×C×N), computed
 * with each layer's `getOutputSizes` in execution order; variables whose size
 * does not follow from the given ones are absent from the map. Receptive
 * fields come from `graphReceptiveFields` of @convnet-ts/geometry over each
 * layer's `geometry()`: composed along paths (§5.5), overlaid where paths
 * meet (§5.6), `NO_FIELD` where no sliding window describes the dependency.
 */
import { type Field, type GraphLayer, graphReceptiveFields } from '@convnet-ts/geometry';
import { formatShape, OptionError, type Shape, ShapeError } from '@convnet-ts/tensor';
import type { DagNN } from './dag-nn.js';
import { inLayer } from './layer-errors.js';

export function varSizes(net: DagNN, inputSizes: Readonly<Record<string, Shape>>): Map<string, Shape> {
  const where = 'DagNN.getVarSizes';
  const sizes = new Map<string, Shape>();
  for (const [name, shape] of Object.entries(inputSizes)) {
    net.getVar(name, where);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new OptionError(where, name, `inputSizes.${name} must be a shape such as [N, H, W, C], got ${JSON.stringify(shape)}`);
    }
    sizes.set(name, [...shape]);
  }
  for (const l of net.getLayerExecutionOrder()) {
    const ins = l.inputs.map((v) => sizes.get(v));
    const outs = inLayer(where, l, () => {
      try {
        return l.block.getOutputSizes(ins);
      } catch (e) {
        // Geometry errors (an empty output) become shape errors of the layer.
        if (e instanceof Error && e.name === 'GeometryError') throw new ShapeError(l.block.type, 'inputs[0]', e.message);
        throw e;
      }
    });
    l.outputs.forEach((v, j) => {
      const s = outs[j];
      if (s !== undefined) sizes.set(v, s);
    });
  }
  return sizes;
}

/** The graph of `net` for @convnet-ts/geometry. */
export function graphLayers(net: DagNN): GraphLayer[] {
  return net.getLayerExecutionOrder().map((l) => ({ name: l.name, inputs: l.inputs, outputs: l.outputs, geometry: padGeometry(l.block.geometry(), l.inputs.length) }));
}

function padGeometry(g: GraphLayer['geometry'], n: number): GraphLayer['geometry'] {
  if (!Array.isArray(g)) return g;
  return Array.from({ length: n }, (_, i) => g[i] ?? null);
}

export function varReceptiveFields(net: DagNN, varName: string): Map<string, Field> {
  net.getVar(varName, 'DagNN.getVarReceptiveFields');
  return graphReceptiveFields(graphLayers(net), varName);
}

/** `[N, H, W, C]` as MatConvNet prints it, H×W×C×N. */
export function showSize(s: Shape | undefined): string {
  if (!s) return '?';
  if (s.length !== 4) return formatShape(s);
  return `${s[1]}×${s[2]}×${s[3]}×${s[0]}`;
}
