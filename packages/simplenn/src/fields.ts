/**
 * Field readers for `tidy`: each checks one field of one layer and returns it
 * in tidy form, or throws an `OptionError` naming the layer and the field:
 * `tidy: layers[2].pad must be one number or [top, bottom, left, right] of integers ≥ 0, got [1, 2]`.
 */
import { isTensor, OptionError, type Pad4, type Pair, type Tensor } from '@convnet-ts/tensor';

const BLOCK = 'tidy';

/** A short, safe rendering of a value for error messages. */
export function show(value: unknown): string {
  if (isTensor(value)) return `a tensor [${value.shape.join(', ')}]`;
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'function') return 'a function';
  if (value !== null && typeof value === 'object') return 'an object';
  return String(value);
}

/** Reads fields of one layer; `where` is `layers[i]`. */
export class FieldReader {
  constructor(
    readonly where: string,
    readonly spec: Record<string, unknown>,
  ) {}

  fail(field: string, expected: string): never {
    throw new OptionError(BLOCK, `${this.where}.${field}`, `${this.where}.${field} must be ${expected}, got ${show(this.spec[field])}`);
  }

  /** Rejects field names the layer type does not know (typos such as `strides`). */
  known(names: readonly string[]): void {
    for (const key of Object.keys(this.spec)) {
      if (!names.includes(key)) {
        throw new OptionError(
          BLOCK,
          `${this.where}.${key}`,
          `${this.where} (${String(this.spec.type)}) has no field '${key}'; known fields are ${names.join(', ')}`,
        );
      }
    }
  }

  number(field: string, fallback: number, check: { min?: number; max?: number; integer?: boolean; below?: number } = {}): number {
    const v = this.spec[field] ?? fallback;
    const ok =
      typeof v === 'number' &&
      Number.isFinite(v) &&
      (!check.integer || Number.isInteger(v)) &&
      (check.min === undefined || v >= check.min) &&
      (check.max === undefined || v <= check.max) &&
      (check.below === undefined || v < check.below);
    if (!ok) {
      const range = [
        check.min === undefined ? '' : `≥ ${check.min}`,
        check.max === undefined ? '' : `≤ ${check.max}`,
        check.below === undefined ? '' : `< ${check.below}`,
      ].filter((r) => r !== '');
      this.fail(field, `${check.integer ? 'an integer' : 'a finite number'}${range.length ? ` ${range.join(' and ')}` : ''}`);
    }
    return v as number;
  }

  flag(field: string, fallback: boolean): boolean {
    const v = this.spec[field] ?? fallback;
    if (typeof v !== 'boolean') this.fail(field, 'true or false');
    return v as boolean;
  }

  choice<T extends string>(field: string, fallback: T, choices: readonly T[]): T {
    const v = this.spec[field] ?? fallback;
    if (!choices.includes(v as T)) this.fail(field, `one of ${choices.map((c) => `'${c}'`).join(', ')}`);
    return v as T;
  }

  private integers(field: string, fallback: number, counts: readonly number[], min: number): number[] | null {
    const v = this.spec[field] ?? fallback;
    const list = typeof v === 'number' ? [v] : Array.isArray(v) ? v : null;
    if (!list || !counts.includes(list.length)) return null;
    return list.every((p) => typeof p === 'number' && Number.isInteger(p) && p >= min) ? (list as number[]) : null;
  }

  /** One integer ≥ min or `[vertical, horizontal]` → `[v, h]`. */
  pair(field: string, fallback: number, min: number): Pair {
    const list = this.integers(field, fallback, [1, 2], min);
    if (!list) this.fail(field, `one integer ≥ ${min} or [vertical, horizontal]`);
    return [list[0]!, list[1] ?? list[0]!];
  }

  /** One integer ≥ 0 or `[top, bottom, left, right]` → 4 values. */
  pad4(field: string): Pad4 {
    const list = this.integers(field, 0, [1, 4], 0);
    if (!list) this.fail(field, 'one integer ≥ 0 or [top, bottom, left, right]');
    return list.length === 1 ? [list[0]!, list[0]!, list[0]!, list[0]!] : [list[0]!, list[1]!, list[2]!, list[3]!];
  }

  /** A parameter vector of `count` finite numbers. */
  param(field: string, fallback: readonly number[], count: number): number[] {
    const v = this.spec[field] ?? fallback;
    if (!Array.isArray(v) || v.length !== count || !v.every((p) => typeof p === 'number' && Number.isFinite(p))) {
      this.fail(field, `${count} finite numbers`);
    }
    return [...(v as number[])];
  }

  /** A weights array of `min`..`max` entries, tensors or (where `nullable[i]`) null. */
  weights(min: number, max: number, nullable: readonly boolean[]): (Tensor | null)[] {
    const v = this.spec.weights ?? [];
    const what = `an array of ${min === max ? min : `${min} to ${max}`} tensors`;
    if (!Array.isArray(v) || v.length < min || v.length > max) this.fail('weights', what);
    const list = (v as unknown[]).map((w, i) => {
      if (isTensor(w) || (w === null && nullable[i])) return w;
      return this.fail('weights', `${what} (weights[${i}] ${nullable[i] ? 'a tensor or null' : 'a tensor'})`);
    });
    for (const w of list) w?.assertAlive(BLOCK, `${this.where}.weights`);
    return list;
  }

  /** Learning-rate or weight-decay factors: one finite number ≥ 0 per weight (default 1 each). */
  factors(field: string, count: number): number[] {
    const v = this.spec[field] ?? new Array<number>(count).fill(1);
    if (!Array.isArray(v) || v.length !== count || !v.every((p) => typeof p === 'number' && Number.isFinite(p) && p >= 0)) {
      this.fail(field, `${count} finite numbers ≥ 0 (one per weight)`);
    }
    return [...(v as number[])];
  }
}
