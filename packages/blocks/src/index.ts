export { type AffineGridSize, affineGrid, affineGridBackward } from './affine-grid.js';
export {
  type BilinearSamplerBackwardOptions,
  type BilinearSamplerDerivatives,
  bilinearSampler,
  bilinearSamplerBackward,
} from './bilinear-sampler.js';
export {
  BNORM_EPSILON,
  type BnormBackwardOptions,
  type BnormBackwardResult,
  type BnormOptions,
  type BnormResult,
  bnorm,
  bnormBackward,
} from './bnorm.js';
export { assertDerivative, type CheckDerivativeOptions, type CheckDerivativeResult, checkDerivative } from './check-derivative.js';
export { type ConcatOptions, concat, concatBackward } from './concat.js';
export { type ConvDerivatives, type ConvOptions, conv, convBackward } from './conv.js';
export { type ConvtOptions, convt, convtBackward } from './convt.js';
export { type CropSpec, crop, cropBackward } from './crop.js';
export {
  type DropoutBackwardOptions,
  type DropoutMode,
  type DropoutOptions,
  type DropoutResult,
  dropout,
  dropoutBackward,
  dropoutRng,
} from './dropout.js';
export type { InstanceWeights, Labels } from './labels.js';
export { LOSS_TYPES, type LossOptions, loss, lossBackward } from './loss.js';
export { type LrnOptions, type LrnParam, lrn, lrnBackward } from './lrn.js';
export { NOFFSET_FLOOR, type NoffsetParam, noffset, noffsetBackward } from './noffset.js';
export { type NormalizeLpOptions, normalizeLp, normalizeLpBackward } from './normalize-lp.js';
export { type PdistBackwardResult, type PdistOptions, pdist, pdistBackward } from './pdist.js';
export { type PoolOptions, pool, poolBackward } from './pool.js';
export { type ReluOptions, relu, reluBackward } from './relu.js';
export { type RoiPoolOptions, type Rois, type RoiTransform, roiPool, roiPoolBackward } from './roi-pool.js';
export { type ScaleBackwardResult, scale, scaleBackward } from './scale.js';
export { type SigmoidOptions, sigmoid, sigmoidBackward } from './sigmoid.js';
export { type SoftmaxOptions, softmax, softmaxBackward } from './softmax.js';
export { softmaxloss, softmaxlossBackward } from './softmaxloss.js';
export { type SpnormOptions, type SpnormParam, spnorm, spnormBackward } from './spnorm.js';
export { sum, sumBackward } from './sum.js';
