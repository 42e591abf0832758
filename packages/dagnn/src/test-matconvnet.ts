/**
 * Builders of MatConvNet DagNN saveobj structs for the tests (not part of
 * the package's build): layers as MatConvNet's `saveobj` lays them out.
 */
import { type MatValue, matCellOfStrings, matChar, matDouble, matLogical, matSingle, matStruct, matStructArray } from '@convnet-ts/matfile';

export interface LayerSpec {
  name: string;
  type: string;
  inputs: string[];
  outputs: string[];
  params?: string[];
  block?: Record<string, MatValue>;
}

export interface ParamSpec {
  name: string;
  value: MatValue;
  learningRate?: number;
  weightDecay?: number;
}

/** The saveobj struct `{ vars, params, layers, meta }` of these layers and params. */
export function dagStruct(layers: LayerSpec[], params: ParamSpec[], extra: Record<string, MatValue> = {}): MatValue {
  const names = [...new Set(layers.flatMap((l) => [...l.inputs, ...l.outputs]))];
  return matStruct({
    vars: matStructArray(['name', 'precious'], names.map((n) => ({ name: matChar(n), precious: matLogical(false) }))),
    params: matStructArray(
      ['name', 'value', 'learningRate', 'weightDecay'],
      params.map((p) => ({ name: matChar(p.name), value: p.value, learningRate: matDouble(p.learningRate ?? 1), weightDecay: matDouble(p.weightDecay ?? 1) })),
    ),
    layers: matStructArray(
      ['name', 'type', 'inputs', 'outputs', 'params', 'block'],
      layers.map((l) => ({
        name: matChar(l.name),
        type: matChar(l.type),
        inputs: matCellOfStrings(l.inputs),
        outputs: matCellOfStrings(l.outputs),
        params: matCellOfStrings(l.params ?? []),
        block: matStruct(l.block ?? {}),
      })),
    ),
    meta: matStruct({}),
    ...extra,
  });
}

export const row = (xs: number[]): MatValue => matDouble(xs, [1, xs.length]);

/** A single array of `dims` whose column-major element at (i0, i1, …) is Σ ik·10^(r−1−k) — its index read as digits. */
export function digits(dims: number[]): MatValue {
  const n = dims.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let col = 0; col < n; col++) {
    let rest = col;
    let v = 0;
    for (const d of dims) {
      v = v * 10 + (rest % d);
      rest = Math.floor(rest / d);
    }
    data[col] = v;
  }
  return matSingle(data, dims);
}

/** The value `digits` puts at multi-index `idx`. */
export const digitsAt = (idx: number[]): number => idx.reduce((v, i) => v * 10 + i, 0);
