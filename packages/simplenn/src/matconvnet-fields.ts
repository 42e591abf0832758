/**
 * Readers of one MatConvNet layer struct's fields for `loadMatConvNet`: each
 * returns the field as convnet-ts's spec wants it, or throws a `MatFileError`
 * (code `value`) naming the field's MATLAB path:
 * `loadMatConvNet: net.layers{3}.stride: expected one integer ≥ 1 or [vertical horizontal], got double 1×3`.
 */
import { asCell, asNumbers, asText, describe, isEmpty, type MatValue, MatFileError, type MatNumeric } from '@convnet-ts/matfile';
import { padDims } from './matconvnet-layout.js';

const LOAD = 'loadMatConvNet';

/**
 * A weight ready to become a tensor: its values and the tensor's shape. As
 * `weight` returns it, `data` is the file's column-major array (not copied);
 * the importer replaces it by a fresh row-major Float32Array.
 */
export interface WeightPlan {
  data: Float32Array | Float64Array;
  shape: number[];
  /** The file stored it as double (rounded to float32). */
  wasDouble: boolean;
}

export class MatLayerReader {
  constructor(
    /** `net.layers{3}` */
    readonly path: string,
    readonly record: Readonly<Record<string, MatValue>>,
  ) {}

  fail(name: string, expected: string, code: 'value' | 'unsupported' = 'value'): never {
    const v = this.record[name];
    throw new MatFileError(code, LOAD, `${this.path}.${name}`, `expected ${expected}, got ${v === undefined ? 'nothing' : describe(v)}`);
  }

  has(name: string): boolean {
    return Object.hasOwn(this.record, name);
  }

  get(name: string): MatValue | undefined {
    return this.has(name) ? this.record[name] : undefined;
  }

  text(name: string): string | undefined {
    const v = this.get(name);
    return v === undefined ? undefined : asText(v, `${this.path}.${name}`, LOAD);
  }

  numbers(name: string, what: string): number[] | undefined {
    const v = this.get(name);
    if (v === undefined) return undefined;
    if (v.type !== 'numeric' && v.type !== 'logical') this.fail(name, what);
    const list = asNumbers(v, `${this.path}.${name}`, LOAD);
    if (!list.every(Number.isFinite)) this.fail(name, `${what} (finite values)`);
    return list;
  }

  scalar(name: string): number | undefined {
    const list = this.numbers(name, 'a number');
    if (list !== undefined && list.length !== 1) this.fail(name, 'a number');
    return list?.[0];
  }

  flag(name: string): boolean | undefined {
    const list = this.numbers(name, 'true or false');
    if (list !== undefined && list.length !== 1) this.fail(name, 'true or false');
    return list === undefined ? undefined : list[0] !== 0;
  }

  /** Integers ≥ `min`, `counts` of them (MatConvNet's MEX accepts pads of 1 or 4 elements, pairs of 1 or 2). */
  integers(name: string, counts: readonly number[], min: number, what: string): number[] | undefined {
    const list = this.numbers(name, what);
    if (list === undefined) return undefined;
    if (!counts.includes(list.length) || !list.every((x) => Number.isInteger(x) && x >= min)) this.fail(name, what);
    return list;
  }

  pair(name: string): number[] | undefined {
    return this.integers(name, [1, 2], 1, 'one integer ≥ 1 or [vertical horizontal]');
  }

  /** `[top bottom left right]` or one number; two elements are refused as vl_nnconv/vl_nnpool refuse them. */
  pad4(name: string): number[] | undefined {
    return this.integers(name, [1, 4], 0, 'one integer ≥ 0 or [top bottom left right] (MatConvNet refuses 2 elements)');
  }

  /** A numeric array as a weight of `rank` dims (MATLAB's trailing singletons restored; values not yet converted); null for `[]`. */
  weight(v: MatValue, at: string, rank: number, what: string): WeightPlan | null {
    if (isEmpty(v) && (v.type === 'numeric' || v.type === 'cell')) return null;
    if (v.type !== 'numeric' || (v.class !== 'single' && v.class !== 'double')) {
      throw new MatFileError('value', LOAD, at, `expected ${what} of class single or double, got ${describe(v)}`);
    }
    const dims = padDims(v.dims, rank);
    if (!dims) throw new MatFileError('value', LOAD, at, `expected ${what} (at most ${rank} dimensions), got ${describe(v)}`);
    return { data: (v as MatNumeric<'single' | 'double'>).data, shape: dims, wasDouble: v.class === 'double' };
  }

  /** The `weights` cell (or the legacy `filters`/`biases` pair, noted). */
  weights(notes: string[]): { values: MatValue[]; legacy: boolean } {
    const w = this.get('weights');
    if (w !== undefined) return { values: asCell(w, `${this.path}.weights`, LOAD), legacy: false };
    if (this.has('filters') || this.has('biases')) {
      notes.push(`${this.path}: filters/biases moved to weights (the pre-beta16 layout)`);
      const f = this.get('filters');
      if (f === undefined) this.fail('filters', 'the filters beside biases');
      return { values: [f, this.get('biases') ?? { type: 'numeric', class: 'double', dims: [0, 0], data: new Float64Array(0) }], legacy: true };
    }
    return { values: [], legacy: false };
  }
}
