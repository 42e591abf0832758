export { type ChainVar, chainGeometry } from './chain.js';
export { type CaffePoolOptions, caffePoolOutputSize, caffePoolPad } from './caffe-pool.js';
export { compose } from './compose.js';
export { convOutputSize } from './conv-output-size.js';
export { convtField } from './convt-field.js';
export type { ConvtOptions } from './convt-options.js';
export { convtOutputSize } from './convt-output-size.js';
export { GeometryError, type GeometryErrorCode, isGeometryError } from './errors.js';
export {
  type Field,
  type FieldLike,
  identityField,
  isReceptiveField,
  NO_FIELD,
  type NoField,
  type ReceptiveField,
  type ReceptiveFieldLike,
  receptiveField,
} from './field.js';
export { filterField } from './filter-field.js';
export type { FilterOptions } from './filter-options.js';
export { graphReceptiveFields } from './graph-fields.js';
export { type GraphLayer, graphOrder } from './graph-order.js';
export { graphSizes } from './graph-sizes.js';
export {
  type ConvtGeometry,
  type CustomGeometry,
  type FilterGeometry,
  type IdentityGeometry,
  type LayerGeometry,
  layerField,
  layerOutputSize,
  type NoFieldGeometry,
  type PoolGeometry,
} from './layer-geometry.js';
export { overlay } from './overlay.js';
export type { Pad4, PadLike, Pair, PairLike } from './pair.js';
export { type PoolOptions, poolOutputSize } from './pool-output-size.js';
export { transpose } from './transpose.js';
export { type VarSize, type VarSizeLike, varSize } from './var-size.js';
