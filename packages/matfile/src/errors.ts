/**
 * `MatFileError`: a MAT-file that cannot be read or a value that cannot be
 * written. `path` names the place in MATLAB's syntax (`net.layers{3}.weights{1}`;
 * empty when the fault is in the header), and the message starts with it:
 * `net.layers{3}.weights{1}: sparse arrays are not supported`.
 * It carries the `Symbol.for('convnet-ts.error')` marker that
 * `isConvnetError` of @convnet-ts/tensor recognises, without depending on it.
 */
const MARKER = Symbol.for('convnet-ts.error');

export type MatFileErrorCode = 'format' | 'unsupported' | 'limit' | 'value';

export class MatFileError extends Error {
  readonly [MARKER] = true;
  /** `format`: corrupt or truncated; `unsupported`: valid MATLAB data this package does not read (sparse, complex, objects, v7.3); `limit`: beyond a safety limit; `value`: a value that does not have the expected type (accessors, writer). */
  readonly code: MatFileErrorCode;
  /** The function that failed (`readMat`, `writeMat`, or an importer's name). */
  readonly block: string;
  /** Where in the file, MATLAB syntax (`net.layers{3}.weights{1}`), `''` for the header. */
  readonly path: string;

  constructor(code: MatFileErrorCode, block: string, path: string, message: string) {
    super(`${block}: ${path ? `${path}: ` : ''}${message}`);
    this.name = 'MatFileError';
    this.code = code;
    this.block = block;
    this.path = path;
  }
}
