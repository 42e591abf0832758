export type { Backend, MemoryInfo } from './backend.js';
export { randnTensor, randTensor } from './create.js';
export { allocFloatArray, type DType, type FloatArray } from './dtype.js';
export {
  BackendError,
  ConvnetError,
  type ConvnetErrorCode,
  DeviceError,
  DisposedError,
  isConvnetError,
  OptionError,
  ShapeError,
  ValueError,
} from './errors.js';
export {
  type AttributeLoss,
  type BilinearSamplerBackwardOutputs,
  type BinaryOp,
  type CategoricalLoss,
  type ConvGeometry,
  KERNEL_NAMES,
  type KernelAttrs,
  type KernelImpl,
  type KernelInputs,
  type KernelName,
  type KernelOutputs,
  type KernelSpecs,
  type KernelTable,
  type LossAttrs,
  type LossInputs,
  type LossType,
  type Pad4,
  type Pair,
  type PoolAttrs,
  type PoolMethod,
  type RoiPoolAttrs,
  type UnaryOp,
} from './kernels.js';
export { moveTensor } from './move.js';
export { hashUniform, pcgHash, Rng } from './rng.js';
export { keep, scope } from './scope.js';
export { checkShape, formatShape, resolveReshape, type Shape, shapesEqual, sizeOf, stridesOf } from './shape.js';
export { forgetHostValues, HOST_VALUES_LIMIT, hostValues, rememberHostValues } from './host-values.js';
export { checkAllocation, checkNumber, checkValues, describeValue, MAX_TENSOR_ELEMENTS } from './values.js';
export { Tensor } from './tensor.js';
export { isTensor, tensorBrand } from './brand.js';
export { TENSOR_BRAND, VERSION } from './identity.js';
