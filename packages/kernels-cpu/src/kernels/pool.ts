import type { PoolAttrs, Tensor } from '@convnet-ts/tensor';
import type { CpuKernelTable } from '../kernel-table.js';

/**
 * Max and average pooling over NHWC data (manual §4.3, §6.3), MatConvNet's
 * semantics: every window is clipped to the image, so max pooling behaves as
 * −∞ padding and average pooling divides by the number of valid pixels.
 *
 * Max backward routes each output's derivative to the FIRST maximum of its
 * window in MatConvNet's memory order — column-major: down the first column
 * (top to bottom), then the next column to the right — found with a strict `>`
 * from −∞ (pooling_cpu.cpp). Overlapping windows accumulate. The loops keep
 * channels innermost, so every access walks contiguous memory.
 */
export const poolKernels = {
  Pool: (cpu, { x }, attrs) => {
    const g = geometry(x, attrs);
    const xv = cpu.contiguous(x);
    const out = cpu.alloc(g.n * g.ho * g.wo * g.c);
    const isMax = attrs.method === 'max';
    const { c, w } = g;
    forEachWindow(g, (o, img, y1, y2, x1, x2) => {
      if (isMax) out.fill(Number.NEGATIVE_INFINITY, o, o + c);
      for (let i = y1; i < y2; i++) {
        for (let j = x1; j < x2; j++) {
          const base = ((img + i) * w + j) * c;
          if (isMax) {
            for (let k = 0; k < c; k++) {
              const v = xv[base + k]!;
              if (v > out[o + k]!) out[o + k] = v;
            }
          } else {
            for (let k = 0; k < c; k++) out[o + k]! += xv[base + k]!;
          }
        }
      }
      if (!isMax) {
        const scale = 1 / ((y2 - y1) * (x2 - x1));
        for (let k = 0; k < c; k++) out[o + k]! *= scale;
      }
    });
    return cpu.wrap(out, [g.n, g.ho, g.wo, c]);
  },

  PoolBackward: (cpu, { x, dy }, attrs) => {
    const g = geometry(x, attrs);
    const dyv = cpu.contiguous(dy);
    const dx = cpu.alloc(x.size);
    const { c, w } = g;
    if (attrs.method === 'avg') {
      forEachWindow(g, (o, img, y1, y2, x1, x2) => {
        const scale = 1 / ((y2 - y1) * (x2 - x1));
        for (let i = y1; i < y2; i++) {
          for (let j = x1; j < x2; j++) {
            const base = ((img + i) * w + j) * c;
            for (let k = 0; k < c; k++) dx[base + k]! += dyv[o + k]! * scale;
          }
        }
      });
      return cpu.wrap(dx, x.shape);
    }
    const xv = cpu.contiguous(x);
    const best = new Float64Array(c);
    const at = new Int32Array(c);
    forEachWindow(g, (o, img, y1, y2, x1, x2) => {
      best.fill(Number.NEGATIVE_INFINITY);
      at.fill(-1);
      // Column-major scan (j outer, i inner) with strict '>': the first maximum in MatConvNet's order.
      for (let j = x1; j < x2; j++) {
        for (let i = y1; i < y2; i++) {
          const base = ((img + i) * w + j) * c;
          for (let k = 0; k < c; k++) {
            const v = xv[base + k]!;
            if (v > best[k]!) {
              best[k] = v;
              at[k] = base + k;
            }
          }
        }
      }
      for (let k = 0; k < c; k++) {
        const a = at[k]!;
        if (a >= 0) dx[a]! += dyv[o + k]!;
      }
    });
    return cpu.wrap(dx, x.shape);
  },
} satisfies Partial<CpuKernelTable>;

interface PoolGeometry {
  n: number;
  h: number;
  w: number;
  c: number;
  ho: number;
  wo: number;
  ph: number;
  pw: number;
  sy: number;
  sx: number;
  top: number;
  left: number;
}

function geometry(x: Tensor, { poolSize, pad, stride }: PoolAttrs): PoolGeometry {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const [ph, pw] = poolSize;
  const [top, bottom, left, right] = pad;
  const [sy, sx] = stride;
  const ho = Math.floor((h + top + bottom - ph) / sy) + 1;
  const wo = Math.floor((w + left + right - pw) / sx) + 1;
  return { n, h, w, c, ho, wo, ph, pw, sy, sx, top, left };
}

/**
 * Calls `visit(o, img, y1, y2, x1, x2)` for every output pixel: `o` is the
 * offset of its channels in the output, `img` = n·H (the image's first row),
 * and `[y1, y2) × [x1, x2)` its window clipped to the image.
 */
function forEachWindow(
  g: PoolGeometry,
  visit: (o: number, img: number, y1: number, y2: number, x1: number, x2: number) => void,
): void {
  let o = 0;
  for (let b = 0; b < g.n; b++) {
    const img = b * g.h;
    for (let oy = 0; oy < g.ho; oy++) {
      const y0 = oy * g.sy - g.top;
      const y1 = Math.max(y0, 0);
      const y2 = Math.min(y0 + g.ph, g.h);
      for (let ox = 0; ox < g.wo; ox++) {
        const x0 = ox * g.sx - g.left;
        visit(o, img, y1, y2, Math.max(x0, 0), Math.min(x0 + g.pw, g.w));
        o += g.c;
      }
    }
  }
}
