import { convOutputSize } from './conv-output-size.js';
import type { ConvtOptions } from './convt-options.js';
import { convtField } from './convt-field.js';
import { convtOutputSize } from './convt-output-size.js';
import { GeometryError } from './errors.js';
import { type Field, type FieldLike, identityField, NO_FIELD, toField } from './field.js';
import { filterField } from './filter-field.js';
import { type FilterOptions, readFilter } from './filter-options.js';
import { checkNumber, type PairLike, show, toPair } from './pair.js';
import { checkPoolPad, type PoolOptions, poolOutputSize } from './pool-output-size.js';
import { readVarSize, type VarSize, type VarSizeLike } from './var-size.js';

/** Convolution (`vl_nnconv`, `dagnn.Conv`); `channels` is the number of filters K. */
export interface FilterGeometry extends FilterOptions {
  readonly kind: 'filter';
  /** Output channels (number of filters); default: unchanged. */
  readonly channels?: number;
}

/** MatConvNet pooling (`vl_nnpool`, `dagnn.Pooling`); channels unchanged; pad < size. */
export interface PoolGeometry extends PoolOptions {
  readonly kind: 'pool';
}

/** Convolution transpose (`vl_nnconvt`, `dagnn.ConvTranspose`). */
export interface ConvtGeometry extends ConvtOptions {
  readonly kind: 'convt';
  /** Output channels; default: unchanged. */
  readonly channels?: number;
}

/** Element-wise blocks (ReLU, sigmoid, LRN, batch norm, dropout, softmax, sum, …): 1×1 field, same size. */
export interface IdentityGeometry {
  readonly kind: 'identity';
  /** Output channels; default: unchanged. */
  readonly channels?: number;
}

/**
 * No sliding-window field (`NO_FIELD`): losses, bilinear samplers, ROI pooling.
 * `outputSize` and `channels` give the output size where it is fixed (a loss
 * gives `outputSize: 1, channels: 1`); otherwise the size is unknown.
 */
export interface NoFieldGeometry {
  readonly kind: 'none';
  readonly outputSize?: PairLike;
  readonly channels?: number;
}

/** Anything else: an explicit field, and optionally how the output size follows from the input's. */
export interface CustomGeometry {
  readonly kind: 'custom';
  readonly field: FieldLike;
  readonly outputSize?: (input: VarSize) => VarSizeLike;
}

/**
 * The geometry of one layer, enough to get its receptive field and output
 * size. SimpleNN and DagNN map their layers to this: `conv` → `filter`,
 * `pool` → `pool`, `convt` → `convt`, element-wise layers → `identity`,
 * losses → `none` (size 1×1×1), user layers → `custom`.
 */
export type LayerGeometry =
  | FilterGeometry
  | PoolGeometry
  | ConvtGeometry
  | IdentityGeometry
  | NoFieldGeometry
  | CustomGeometry;

function badKind(block: string, geometry: unknown): GeometryError {
  const kind = typeof geometry === 'object' && geometry !== null ? (geometry as { kind?: unknown }).kind : geometry;
  return new GeometryError(
    'option',
    block,
    'geometry.kind',
    `geometry.kind must be 'filter', 'pool', 'convt', 'identity', 'none' or 'custom', got ${show(kind)}`,
  );
}

/** A pooling window's field: a filter's, after `vl_nnpool`'s pad < size check. */
function poolField(geometry: PoolGeometry): Field {
  const { size, pad } = readFilter('layerField', { ...geometry, dilate: 1 });
  checkPoolPad('layerField', size, pad);
  return filterField({ ...geometry, dilate: 1 });
}

/** The receptive field of one layer (manual §5.2, §5.3); `NO_FIELD` for `none`. */
export function layerField(geometry: LayerGeometry): Field {
  switch (geometry?.kind) {
    case 'filter':
      return filterField(geometry);
    case 'pool':
      return poolField(geometry);
    case 'convt':
      return convtField(geometry);
    case 'identity':
      return identityField();
    case 'none':
      return NO_FIELD;
    case 'custom':
      return toField(geometry.field, 'layerField');
    default:
      throw badKind('layerField', geometry);
  }
}

function channelsOr(block: string, channels: number | undefined, input: VarSize): number | undefined {
  return channels === undefined ? input.channels : checkNumber(block, 'channels', channels, 'positive integer');
}

/**
 * The output size of one layer for an input of size `input`: eq. (5.3) for
 * filters and pooling, §5.3's tight formula for convolution transpose, the
 * input size for element-wise layers. `undefined` where it cannot be known
 * from the geometry (`none` without `outputSize`, `custom` without `outputSize`).
 */
export function layerOutputSize(geometry: LayerGeometry, input: VarSizeLike): VarSize | undefined {
  const block = 'layerOutputSize';
  const x = readVarSize(input, block, 'input');
  switch (geometry?.kind) {
    case 'filter':
      return { size: convOutputSize(x.size, geometry), channels: channelsOr(block, geometry.channels, x) };
    case 'pool':
      return { size: poolOutputSize(x.size, geometry), channels: x.channels };
    case 'convt':
      return { size: convtOutputSize(x.size, geometry), channels: channelsOr(block, geometry.channels, x) };
    case 'identity':
      return { size: x.size, channels: channelsOr(block, geometry.channels, x) };
    case 'none':
      if (geometry.outputSize === undefined) return undefined;
      return {
        size: toPair(block, 'outputSize', geometry.outputSize, 'positive integer'),
        channels: channelsOr(block, geometry.channels, x),
      };
    case 'custom':
      return geometry.outputSize === undefined ? undefined : readVarSize(geometry.outputSize(x), block, 'outputSize()');
    default:
      throw badKind(block, geometry);
  }
}
