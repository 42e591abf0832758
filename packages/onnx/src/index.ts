export { OnnxError, type OnnxErrorCode } from './errors.js';
export { EXPORT_IR_VERSION, EXPORT_OPSET, type ExportOnnxOptions, exportOnnx, exportOnnxSync } from './export.js';
export {
  findAttribute,
  floatAttr,
  floatsAttr,
  intAttr,
  intsAttr,
  makeNode,
  nodeLabel,
  readFloat,
  readFloats,
  readInt,
  readInts,
  readString,
  readTensor,
  stringAttr,
  tensorAttr,
} from './proto/attribute.js';
export { decodeModel, emptyModel, encodeModel, ONNX_DOMAIN, onnxOpsetVersion } from './proto/model.js';
export {
  type AttributeProto,
  AttributeProto_AttributeType,
  AttributeProtoSchema,
  type GraphProto,
  GraphProtoSchema,
  type ModelProto,
  ModelProtoSchema,
  type NodeProto,
  NodeProtoSchema,
  type OperatorSetIdProto,
  OperatorSetIdProtoSchema,
  type TensorProto,
  TensorProto_DataType,
  TensorProtoSchema,
  type ValueInfoProto,
  ValueInfoProtoSchema,
} from './proto/onnx-pb.js';
export {
  dataTypeName,
  makeFloatTensor,
  makeInt64Tensor,
  makeValueInfo,
  tensorDims,
  tensorSize,
  tensorToFloat32,
  tensorToInts,
  valueInfoElemType,
  valueInfoShape,
  type Where,
} from './proto/tensor.js';
export { IMPORT_OPERATORS, IMPORT_OPSETS, type ImportOnnxOptions, importOnnx, nchwToNhwc, nhwcToNchw } from './import.js';
export type { OnnxPort } from './import-plan.js';
