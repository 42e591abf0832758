/**
 * `OnnxError`: an ONNX file that cannot be read, a model that cannot be
 * converted, or a network that cannot be exported. The message starts with the
 * function (`decodeModel`, `exportOnnx`, `importOnnx`, …) and the place in the
 * model (`graph.node[3] "conv1" (Conv).pads`; empty for the whole file):
 * `exportOnnx: layers[4] "pool2" (pool): …`.
 * It carries the `Symbol.for('convnet-ts.error')` marker that `isConvnetError`
 * of @convnet-ts/tensor recognises.
 */
const MARKER = Symbol.for('convnet-ts.error');

/**
 * `format`: not a valid protobuf or not an ONNX model (truncated, corrupt, no graph);
 * `unsupported`: valid ONNX that convnet-ts cannot represent (an operator, an
 * attribute value, an opset, external data) or a network layer ONNX cannot represent exactly;
 * `shape`: sizes that do not agree; `value`: an argument or value of the wrong type or range.
 */
export type OnnxErrorCode = 'format' | 'unsupported' | 'shape' | 'value';

export class OnnxError extends Error {
  readonly [MARKER] = true;
  readonly code: OnnxErrorCode;
  /** The function that failed (`decodeModel`, `exportOnnx`, …). */
  readonly block: string;
  /** Where in the model or network the fault is; `''` for the whole input. */
  readonly path: string;

  constructor(code: OnnxErrorCode, block: string, path: string, message: string) {
    super(`${block}: ${path ? `${path}: ` : ''}${message}`);
    this.name = 'OnnxError';
    this.code = code;
    this.block = block;
    this.path = path;
  }
}
