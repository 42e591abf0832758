/** Element types. float64 is offered by the CPU backend for tight derivative checks. */
export type DType = 'float32' | 'float64';

/** The typed array that holds a tensor's values. */
export type FloatArray = Float32Array | Float64Array;

export function allocFloatArray(dtype: DType, size: number): FloatArray {
  return dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);
}
