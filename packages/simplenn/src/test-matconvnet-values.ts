/**
 * Hand-made MAT values for the MatConvNet import/export tests (not part of
 * the package's build): layer structs as MatConvNet's files hold them.
 */
import { type MatValue, matCell, matChar, matDouble, matSingle, matStruct } from '@convnet-ts/matfile';

/** MATLAB's A(h, w, d, k) = 1000h + 100w + 10d + k (1-based), column-major, as single. */
export function codedFilter(dims: readonly [number, number, number, number]): MatValue {
  const [H, W, D, K] = dims;
  const out = new Float32Array(H * W * D * K);
  for (let k = 1; k <= K; k++)
    for (let d = 1; d <= D; d++)
      for (let w = 1; w <= W; w++) for (let h = 1; h <= H; h++) out[h - 1 + H * (w - 1 + W * (d - 1 + D * (k - 1)))] = 1000 * h + 100 * w + 10 * d + k;
  // MATLAB drops trailing singleton dims.
  const shown = [...dims];
  while (shown.length > 2 && shown[shown.length - 1] === 1) shown.pop();
  return matSingle(out, shown);
}

/** A layer struct from name/value pairs (strings become char rows, numbers double scalars). */
export function layer(fields: Record<string, MatValue | string | number>): MatValue {
  return matStruct(Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, typeof v === 'string' ? matChar(v) : typeof v === 'number' ? matDouble(v) : v])));
}

/** A 1×1 net struct `{ layers: {…}, meta? }`. */
export function netStruct(layers: MatValue[], extra: Record<string, MatValue> = {}): MatValue {
  return matStruct({ layers: matCell(layers), ...extra });
}

export const row = (values: number[]): MatValue => matDouble(values, [1, values.length]);
export const empty = (): MatValue => matDouble([], [0, 0]);
