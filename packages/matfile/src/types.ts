/**
 * The values a Level 5 MAT-file holds, as plain JavaScript: every array keeps
 * MATLAB's dimensions (at least two, as MATLAB reports them: a scalar is
 * `[1, 1]`, a row vector `[1, n]`) and its elements in MATLAB's column-major
 * order (element (i, j, k) of an `[a, b, c]` array is `data[i + a·(j + b·k)]`).
 * Nothing here depends on tensors; converting layouts is the caller's job.
 */

/** MATLAB's numeric classes (mxDOUBLE_CLASS … mxUINT64_CLASS). */
export type NumericClass = 'double' | 'single' | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64';

/** The typed array that holds each numeric class. */
export interface NumericData {
  double: Float64Array;
  single: Float32Array;
  int8: Int8Array;
  uint8: Uint8Array;
  int16: Int16Array;
  uint16: Uint16Array;
  int32: Int32Array;
  uint32: Uint32Array;
  int64: BigInt64Array;
  uint64: BigUint64Array;
}

/** A real numeric array of one class. */
export interface MatNumeric<C extends NumericClass = NumericClass> {
  type: 'numeric';
  class: C;
  dims: number[];
  data: NumericData[C];
}

/** A logical array (MATLAB's mxLOGICAL flag): 0 or 1 per element. */
export interface MatLogical {
  type: 'logical';
  dims: number[];
  data: Uint8Array;
}

/**
 * A char array: UTF-16 code units, column-major. For a row (`[1, n]`, or
 * `[0, 0]` for `''`) `text` is the string; for a char matrix `text` is its rows
 * joined by `'\n'` (MATLAB's `cellstr` without the trailing-blank trim).
 */
export interface MatChar {
  type: 'char';
  dims: number[];
  data: Uint16Array;
  text: string;
}

/** A cell array: one value per element, column-major. */
export interface MatCell {
  type: 'cell';
  dims: number[];
  data: MatValue[];
}

/**
 * A struct or struct array: `fieldNames` in the file's order, `data` one
 * record per element (column-major), each with every field. A 1×1 struct has
 * one record.
 */
export interface MatStruct {
  type: 'struct';
  dims: number[];
  fieldNames: string[];
  data: Record<string, MatValue>[];
}

export type MatValue = MatNumeric | MatLogical | MatChar | MatCell | MatStruct;

/** One top-level variable of a file, in the file's order. */
export interface MatVariable {
  name: string;
  value: MatValue;
  /** MATLAB's global flag. */
  global?: boolean;
}

/** What `readMat` returns. */
export interface MatFile {
  /** The 116-byte descriptive text of the header, trailing blanks removed. */
  description: string;
  /** The file's byte order. */
  endian: 'little' | 'big';
  variables: MatVariable[];
}

/** Options of `readMat`. */
export interface ReadMatOptions {
  /**
   * Largest accepted nesting depth of cells and structs (default 64); a file
   * that nests deeper is rejected before it is decoded further.
   */
  maxDepth?: number;
}

/** Options of `writeMat`. */
export interface WriteMatOptions {
  /** `true` (default): each variable zlib-compressed (`save -v7`); `false`: `save -v6`. */
  compress?: boolean;
  /** The header's descriptive text (default `MATLAB 5.0 MAT-file, written by @convnet-ts/matfile, <date>`). */
  description?: string;
}
