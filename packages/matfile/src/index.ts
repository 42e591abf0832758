export { asCell, asNumbers, asScalar, asStruct, asStructArray, asText, describe, field, isEmpty } from './access.js';
export { matCell, matCellOfStrings, matChar, matDouble, matLogical, matNumeric, matSingle, matStruct, matStructArray } from './build.js';
export { MatFileError, type MatFileErrorCode } from './errors.js';
export { readMat } from './read.js';
export { writeMat } from './write.js';
export type * from './types.js';
