export { type DisplayInfo, type DisplayOptions, display, formatBytes } from './display.js';
export { COLUMNS, type Column, type DisplayRow } from './display-format.js';
export { geometryOf } from './geometry-of.js';
export type * from './layer-spec.js';
export type * from './layer-types.js';
export {
  decodeModelFile,
  encodeModelFile,
  MODEL_FILE_MAGIC,
  MODEL_FILE_VERSION,
  type ModelKind,
  type StoredTensor,
} from './model-file.js';
export { crc32 } from './crc32.js';
export { move } from './move.js';
export type { Res, ResEntry, SimpleNNOptions } from './res.js';
export { loadSimpleNN, saveSimpleNN } from './save-load.js';
export { simplenn } from './simplenn.js';
export { LRN_DEFAULT, tidy } from './tidy.js';
