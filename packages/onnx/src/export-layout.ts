/**
 * Array re-layouts for export: convnet-ts stores tensors row-major with
 * channels last (feature maps `[N, H, W, C]`, conv filters `[Hf, Wf, C/g, K]`);
 * ONNX wants channels first (`[N, C, H, W]`, Conv weights `[K, C/g, Hf, Wf]`).
 */

/**
 * `y = permute(x, perm)` for a row-major array x of `shape`: axis a of y is
 * axis `perm[a]` of x (numpy's `transpose(x, perm)`, ONNX `Transpose`).
 */
export function permute(values: ArrayLike<number>, shape: readonly number[], perm: readonly number[]): Float32Array {
  const rank = shape.length;
  const size = shape.reduce((a, b) => a * b, 1);
  if (values.length !== size || perm.length !== rank) {
    throw new Error(`permute: ${values.length} values for shape [${shape.join(', ')}] and perm [${perm.join(', ')}]`);
  }
  const inStrides = new Array<number>(rank);
  for (let a = rank - 1, s = 1; a >= 0; a--) {
    inStrides[a] = s;
    s *= shape[a]!;
  }
  const outShape = perm.map((p) => shape[p]!);
  const strides = perm.map((p) => inStrides[p]!);
  const out = new Float32Array(size);
  const index = new Array<number>(rank).fill(0);
  let src = 0;
  for (let i = 0; i < size; i++) {
    out[i] = values[src]!;
    for (let a = rank - 1; a >= 0; a--) {
      index[a]!++;
      src += strides[a]!;
      if (index[a]! < outShape[a]!) break;
      src -= strides[a]! * outShape[a]!;
      index[a] = 0;
    }
  }
  return out;
}

/** NHWC → NCHW (ONNX Transpose `perm`). */
export const TO_NCHW = [0, 3, 1, 2] as const;
/** NCHW → NHWC. */
export const TO_NHWC = [0, 2, 3, 1] as const;
/** Conv filters `[Hf, Wf, C/g, K]` → ONNX Conv weights `[K, C/g, Hf, Wf]`. */
export const CONV_FILTER_PERM = [3, 2, 0, 1] as const;
/** ConvTranspose filters `[Hf, Wf, K, D]` → ONNX ConvTranspose weights `[D, K, Hf, Wf]`. */
export const CONVT_FILTER_PERM = [3, 2, 0, 1] as const;
