/**
 * Which exporter writes each DagNN layer class, which layers are dropped
 * (losses: the exported graph ends at the scores or probabilities) or become
 * aliases (dropout: the identity at inference), and why the rest are refused.
 */
import {
  AffineGridGenerator,
  BatchNorm,
  BilinearSampler,
  Concat,
  Conv,
  ConvTranspose,
  Crop,
  DropOut,
  type Layer,
  Loss,
  LRN,
  NormOffset,
  PDist,
  Pooling,
  ReLU,
  ROIPooling,
  Scale,
  Sigmoid,
  SoftMax,
  SpatialNorm,
  Sum,
} from '@convnet-ts/dagnn';
import type { LayerExporter } from './context.js';
import { exportConv, exportConvTranspose } from './conv.js';
import { exportConcat, exportCrop, exportReLU, exportScale, exportSigmoid, exportSoftMax, exportSum } from './elementwise.js';
import { exportBatchNorm, exportLRN } from './normalization.js';
import { exportPooling } from './pooling.js';

export type LayerRole = { kind: 'node'; write: LayerExporter } | { kind: 'loss' } | { kind: 'identity' } | { kind: 'refused'; why: string };

function node<B extends Layer>(write: LayerExporter<B>): LayerRole {
  return { kind: 'node', write: write as LayerExporter };
}

export function roleOf(block: Layer): LayerRole {
  if (block instanceof Conv) return node(exportConv);
  if (block instanceof ConvTranspose) return node(exportConvTranspose);
  if (block instanceof Pooling) return node(exportPooling);
  if (block instanceof LRN) return node(exportLRN);
  if (block instanceof BatchNorm) return node(exportBatchNorm);
  if (block instanceof ReLU) return node(exportReLU);
  if (block instanceof Sigmoid) return node(exportSigmoid);
  if (block instanceof SoftMax) return node(exportSoftMax);
  if (block instanceof Sum) return node(exportSum);
  if (block instanceof Concat) return node(exportConcat);
  if (block instanceof Scale) return node(exportScale);
  if (block instanceof Crop) return node(exportCrop);
  if (block instanceof DropOut) return { kind: 'identity' };
  if (block instanceof Loss || block instanceof PDist) return { kind: 'loss' };
  if (block instanceof SpatialNorm) {
    return { kind: 'refused', why: 'no ONNX operator computes spatial normalisation (vl_nnspnorm); it would need a Mul, AveragePool (count_include_pad = 1), Add, Pow and Mul subgraph, which the exporter does not write' };
  }
  if (block instanceof NormOffset) {
    return { kind: 'refused', why: 'no ONNX operator computes vl_nnnoffset; it would need a ReduceSumSquare (axis 1), Add, Pow and Mul subgraph, which the exporter does not write' };
  }
  if (block instanceof BilinearSampler) {
    return { kind: 'refused', why: "it would need ONNX GridSample (opset 16) with the grid converted from MatConvNet's (y, x) order and pixel convention, which the exporter does not write" };
  }
  if (block instanceof AffineGridGenerator) {
    return { kind: 'refused', why: "it would need ONNX AffineGrid (opset 20) with MatConvNet's grid convention, which the exporter does not write" };
  }
  if (block instanceof ROIPooling) {
    return { kind: 'refused', why: "it would need ONNX MaxRoiPool with MatConvNet's 1-based box convention and its own rounding, which the exporter does not write" };
  }
  return {
    kind: 'refused',
    why: `a custom layer class has no ONNX mapping; replace it by standard layers, or export it yourself as an ONNX subgraph (or a custom-domain operator that the runtime implements)`,
  };
}
