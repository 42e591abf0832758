import { type Field, type FieldLike, identityField, NO_FIELD, type ReceptiveField, toField } from './field.js';

/** Composes two fields: `f` applied first, then `g` (manual §5.5). */
function composeTwo(f: ReceptiveField, g: ReceptiveField): ReceptiveField {
  const axis = (i: 0 | 1) => {
    const af = f.stride[i];
    return {
      stride: af * g.stride[i],
      offset: af * (g.offset[i] - 1) + f.offset[i],
      size: af * (g.size[i] - 1) + f.size[i],
    };
  };
  const h = axis(0);
  const w = axis(1);
  return { size: [h.size, w.size], stride: [h.stride, w.stride], offset: [h.offset, w.offset] };
}

/**
 * The receptive field of a chain of blocks, given in the order data flows
 * through them (manual §5.5). For `h = g ∘ f` (f first):
 *
 *     α_h = α_f·α_g,   β_h = α_f·(β_g − 1) + β_f,   Δ_h = α_f·(Δ_g − 1) + Δ_f.
 *
 * `compose(filterField({ size: 5 }), filterField({ size: 2, stride: 2 }))` is
 * `{ size: [6, 6], stride: [2, 2], offset: [3.5, 3.5] }`. Composition is
 * associative, `identityField()` is neutral, `compose()` with no argument is
 * the identity, and any `NO_FIELD` makes the result `NO_FIELD`.
 */
export function compose(...fields: readonly FieldLike[]): Field {
  let result: ReceptiveField = identityField();
  let none = false;
  for (const field of fields) {
    const f = toField(field, 'compose');
    if (f === NO_FIELD) none = true;
    else result = composeTwo(result, f);
  }
  return none ? NO_FIELD : result;
}
