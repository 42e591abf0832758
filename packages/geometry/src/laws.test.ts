import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compose } from './compose.js';
import { convOutputSize } from './conv-output-size.js';
import { convtField } from './convt-field.js';
import { convtOutputSize } from './convt-output-size.js';
import { identityField, type ReceptiveField } from './field.js';
import { filterField } from './filter-field.js';
import { overlay } from './overlay.js';
import { arbitraryField, arbitraryFilter, expectFieldClose } from './test-util.js';
import { transpose } from './transpose.js';

/** The receptive field as an interval of 1-based input indices, for output sample `i` along axis 0. */
function window(field: ReceptiveField, i: number): [number, number] {
  const centre = field.stride[0] * (i - 1) + field.offset[0];
  const half = (field.size[0] - 1) / 2;
  return [centre - half, centre + half];
}

describe('algebraic laws of receptive fields', () => {
  it('compose is associative', () => {
    fc.assert(
      fc.property(arbitraryField, arbitraryField, arbitraryField, (f, g, h) => {
        expectFieldClose(compose(compose(f, g), h), compose(f, compose(g, h)));
        expectFieldClose(compose(f, g, h), compose(f, compose(g, h)));
      }),
    );
  });

  it('the identity is neutral on both sides', () => {
    fc.assert(
      fc.property(arbitraryField, (f) => {
        expectFieldClose(compose(identityField(), f), f);
        expectFieldClose(compose(f, identityField()), f);
      }),
    );
  });

  it('transposing twice gives the field back', () => {
    fc.assert(fc.property(arbitraryField, (f) => expectFieldClose(transpose(transpose(f)), f)));
  });

  it('the transpose of a composition is the composition of the transposes, reversed', () => {
    fc.assert(
      fc.property(arbitraryField, arbitraryField, (f, g) => {
        expectFieldClose(transpose(compose(f, g)), compose(transpose(g), transpose(f)));
      }),
    );
  });

  it('overlay is commutative, idempotent, and the smallest window enclosing each field', () => {
    fc.assert(
      fc.property(arbitraryField, arbitraryField, fc.integer({ min: 1, max: 20 }), (f, g, i) => {
        const g2 = { ...g, stride: f.stride };
        const both = overlay(f, g2) as ReceptiveField;
        expectFieldClose(both, overlay(g2, f));
        expectFieldClose(overlay(f, f), f);
        const [lo, hi] = window(both, i);
        const [flo, fhi] = window(f, i);
        const [glo, ghi] = window(g2, i);
        expect(lo).toBeCloseTo(Math.min(flo, glo), 9);
        expect(hi).toBeCloseTo(Math.max(fhi, ghi), 9);
      }),
    );
  });

  it('a stack of filters depends exactly on the input range its composed field gives (brute force)', () => {
    fc.assert(
      fc.property(fc.array(arbitraryFilter, { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 6 }), (filters, i) => {
        // Walk back from output sample i through every tap of every layer (1-based, padding included).
        let indices = new Set([i]);
        for (const { size, stride, pad, dilate } of [...filters].reverse()) {
          const below = new Set<number>();
          for (const j of indices) for (let t = 0; t < size; t++) below.add((j - 1) * stride + 1 - pad + t * dilate);
          indices = below;
        }
        const field = compose(...filters.map((f) => filterField(f))) as ReceptiveField;
        expect(window(field, i)).toEqual([Math.min(...indices), Math.max(...indices)]);
      }),
    );
  });

  it("a filter's field matches its output-size formula (eq. 5.3)", () => {
    fc.assert(
      fc.property(arbitraryFilter, fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 40 }), (filter, padAfter, h) => {
        const pad = [filter.pad, padAfter, filter.pad, padAfter] as const;
        const extent = (filter.size - 1) * filter.dilate + 1;
        fc.pre(h + filter.pad + padAfter >= extent);
        const field = filterField({ ...filter, pad });
        const [out] = convOutputSize(h, { ...filter, pad });
        // The first window starts on the first padded sample …
        expect(window(field, 1)[0]).toBe(1 - filter.pad);
        // … the last one ends inside the padded input, and one more would not.
        expect(window(field, out)[1]).toBeLessThanOrEqual(h + padAfter);
        expect(window(field, out + 1)[1]).toBeGreaterThan(h + padAfter);
      }),
    );
  });

  it('convolution with stride U and pad C takes a convolution transpose output back to its input size', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 1, max: 30 }),
        (size, upsample, top, bottom, h) => {
          fc.pre(upsample * (h - 1) + size - top - bottom >= 1);
          const crop = [top, bottom, top, bottom] as const;
          const up = convtOutputSize(h, { size, upsample, crop });
          expect(convOutputSize(up, { size, stride: upsample, pad: crop })).toEqual([h, h]);
        },
      ),
    );
  });

  it("a convolution transpose's field encloses every input its output samples read (eq. 5.5)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 1, max: 30 }),
        (size, upsample, crop, out) => {
          const field = convtField({ size, upsample, crop });
          const [lo, hi] = window(field, out);
          // x_i and y_out interact iff 1 + U(i − 1) − C ≤ out ≤ H′ + U(i − 1) − C.
          for (let i = -10; i <= 40; i++) {
            const reads = 1 + upsample * (i - 1) - crop <= out && out <= size + upsample * (i - 1) - crop;
            if (reads) {
              expect(i).toBeGreaterThanOrEqual(lo - 1e-9);
              expect(i).toBeLessThanOrEqual(hi + 1e-9);
            }
          }
        },
      ),
    );
  });
});
