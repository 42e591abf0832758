/**
 * The layer classes a model file may name, and how each is rebuilt from its
 * saved options. Loading looks class names up here (plus the factories the
 * caller passes for custom layers) and never evaluates code from a file.
 */
import type { Layer } from '../layer.js';
import { AffineGridGenerator } from './affine-grid-generator.js';
import { BatchNorm } from './batch-norm.js';
import { BilinearSampler } from './bilinear-sampler.js';
import { Concat } from './concat.js';
import { Conv } from './conv.js';
import { ConvTranspose } from './conv-transpose.js';
import { Crop } from './crop.js';
import { DropOut } from './dropout.js';
import { Loss } from './loss.js';
import { LRN } from './lrn.js';
import { NormOffset } from './norm-offset.js';
import { PDist } from './pdist.js';
import { Pooling } from './pooling.js';
import { ReLU } from './relu.js';
import { ROIPooling } from './roi-pooling.js';
import { Scale } from './scale.js';
import { Sigmoid } from './sigmoid.js';
import { SoftMax } from './softmax.js';
import { SpatialNorm } from './spatial-norm.js';
import { Sum } from './sum.js';

/** Builds a layer from the options a model file holds (validated by the constructor). */
export type LayerFactory = (options: Record<string, unknown>) => Layer;

// The constructors validate every option, so the casts only move the checks there.
type AnyOptions = never;
const make =
  <T extends Layer>(C: new (o: AnyOptions) => T): LayerFactory =>
  (o) =>
    new C(o as AnyOptions);

/** Every built-in layer class by its `type` name. */
export const LAYER_TYPES: Readonly<Record<string, LayerFactory>> = Object.freeze({
  AffineGridGenerator: make(AffineGridGenerator),
  BatchNorm: make(BatchNorm),
  BilinearSampler: make(BilinearSampler),
  Concat: make(Concat),
  Conv: make(Conv),
  ConvTranspose: make(ConvTranspose),
  Crop: make(Crop),
  DropOut: make(DropOut),
  Loss: make(Loss),
  LRN: make(LRN),
  NormOffset: make(NormOffset),
  PDist: make(PDist),
  Pooling: make(Pooling),
  ReLU: make(ReLU),
  ROIPooling: make(ROIPooling),
  Scale: make(Scale),
  Sigmoid: make(Sigmoid),
  SoftMax: make(SoftMax),
  SpatialNorm: make(SpatialNorm),
  Sum: make(Sum),
});
