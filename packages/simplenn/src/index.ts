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
export type { BnormMomentsDer, Res, ResEntry, SimpleNNOptions } from './res.js';
export { loadSimpleNN, saveSimpleNN } from './save-load.js';
export { simplenn } from './simplenn.js';
export { LRN_DEFAULT, tidy } from './tidy.js';
export { type LoadMatConvNetOptions, loadMatConvNet, type MatConvNetImport } from './matconvnet-import.js';
export { type SaveMatConvNetOptions, saveMatConvNet } from './matconvnet-export.js';
export { toMatConvNet } from './matconvnet-export-struct.js';
export { columnToRowMajor, featureMapFromMatlab, featureMapToMatlab, matlabDims, padDims, rowToColumnMajor } from './matconvnet-layout.js';
export { jsonToMat, matToJson } from './matconvnet-json.js';
export { exportMeta, importMeta } from './matconvnet-meta.js';
