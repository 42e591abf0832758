/**
 * The one channel order that differs between MatConvNet's and convnet-ts's
 * DagNN layers: the six affine parameters read by `AffineGridGenerator`.
 *
 * MatConvNet (`+dagnn/AffineGridGenerator.m`) reshapes its 1×1×6×N input
 * column-major to 2×3, so with channels c1…c6 the grid is
 * (v', u') = [c1 c2 c5; c3 c4 c6]·(v, u, 1); convnet-ts reads its
 * `[N, 1, 1, 6]` input row-major as [o1 o2 o3; o4 o5 o6] (layers/affine-grid-generator.ts).
 * So o = c[PERM]. When the transforms are computed by a `Conv` read by
 * nothing else (the spatial-transformer pattern), import permutes that
 * conv's filters and biases along K, and export undoes it: the network
 * computes exactly MatConvNet's grid. Anything else is refused with an error
 * that says why, except a network input, whose order the caller controls
 * (noted).
 */
import type { DagNN } from './dag-nn.js';
import type { DagLayer } from './structure.js';
import { fail, type Notes } from './matconvnet-fields.js';

/** convnet-ts channel k holds MatConvNet channel PERM[k] (0-based). */
export const AFFINE_PERM = [0, 1, 4, 2, 3, 5] as const;

/** The Conv whose 6 output channels feed `layer`, or why none can be permuted. */
function feedingConv(net: DagNN, layer: DagLayer): DagLayer | string | null {
  const input = layer.inputs[0]!;
  const producer = net.layers.find((l) => l.outputs.includes(input));
  if (!producer) return null;
  if (producer.block.type !== 'Conv') return `its input '${input}' is written by layer '${producer.name}' (${producer.block.type}), not by a Conv`;
  if (net.getVar(input).fanout !== 1) return `its input '${input}' is also read by other layers`;
  if (producer.params.some((p) => net.getParam(p).fanout !== 1)) return `the filters of '${producer.name}' are shared with other layers`;
  return producer;
}

/** Permutes the last axis (6 channels) of row-major `data` in place: out[..., k] = in[..., from[k]]. */
export function permuteLastAxis(data: Float32Array | Float64Array, from: readonly number[]): void {
  const tmp = new Float64Array(6);
  for (let base = 0; base < data.length; base += 6) {
    for (let k = 0; k < 6; k++) tmp[k] = data[base + from[k]!]!;
    for (let k = 0; k < 6; k++) data[base + k] = tmp[k]!;
  }
}

/** The inverse permutation of AFFINE_PERM (convnet-ts → MatConvNet). */
export const AFFINE_INVERSE = AFFINE_PERM.map((_, k) => AFFINE_PERM.indexOf(k as 0));

/**
 * Applies `from` to the parameters of every Conv that feeds an
 * AffineGridGenerator; `values(name)` gives a parameter's row-major data to
 * permute in place. Throws (naming the layer) where the order cannot be fixed.
 */
export function permuteAffineFeeds(net: DagNN, from: readonly number[], values: (name: string) => Float32Array | Float64Array | undefined, notes: Notes | null, where: string): void {
  for (const layer of net.layers) {
    if (layer.block.type !== 'AffineGridGenerator') continue;
    const conv = feedingConv(net, layer);
    if (conv === null) {
      notes?.add(`AffineGridGenerator: its input '${layer.inputs[0]}' is a network input; give the 6 affine parameters in convnet-ts's row-major order [a11 a12 a13 a21 a22 a23], not MatConvNet's [c1…c6] = [a11 a21 a12 a22 a13 a23]`, layer.name);
      continue;
    }
    if (typeof conv === 'string') {
      fail(where, `layer '${layer.name}' (AffineGridGenerator): ${conv}, so the order of its 6 affine parameters (MatConvNet's column-major 2×3, convnet-ts's row-major) cannot be converted`);
    }
    for (const p of conv.params) {
      const data = values(p);
      if (data) permuteLastAxis(data, from);
    }
    notes?.add(`AffineGridGenerator: the output channels of the Conv feeding it permuted from MatConvNet's column-major 2×3 order to convnet-ts's row-major order`, layer.name);
  }
}

/** Import: permute the planned values of the Convs feeding AffineGridGenerators. */
export function fixAffineGrids(net: DagNN, plans: readonly { name: string; data: Float32Array | Float64Array }[], notes: Notes): void {
  permuteAffineFeeds(net, AFFINE_PERM, (name) => plans.find((p) => p.name === name)?.data, notes, 'net.layers');
}
