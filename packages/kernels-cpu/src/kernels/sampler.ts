import type { FloatArray } from '@convnet-ts/tensor';
import type { CpuKernelTable } from '../kernel-table.js';

/**
 * Spatial transformer kernels (manual §4.5, §6.5) and DagNN's affine grid
 * generator, over contiguous NHWC data.
 *
 * Sampling: grid `[No, Ho, Wo, 2]` holds (y, x) in [−1, 1]; the 0-based pixel
 * position is p = (g + 1)/2 · (size − 1). Output o reads image ⌊o / (No/N)⌋.
 * The four taps (⌊py⌋ + {0, 1}, ⌊px⌋ + {0, 1}) have weights (1 − wy or wy) ×
 * (1 − wx or wx); a tap outside the image contributes zero, and so does a
 * non-finite grid value. The grid derivative is the exact derivative of that
 * piecewise-bilinear function (one-sided, from the right, at integer positions),
 * scaled by (H − 1)/2 and (W − 1)/2.
 */
export const samplerKernels = {
  BilinearSampler: (cpu, { x, grid }) => {
    const [n, h, w, c] = dims4(x.shape);
    const [no, ho, wo] = dims4(grid.shape);
    const xs = cpu.contiguous(x);
    const gs = cpu.contiguous(grid);
    const out = cpu.alloc(no * ho * wo * c);
    const group = no / n;
    const sy = (h - 1) / 2;
    const sx = (w - 1) / 2;
    const points = ho * wo;
    for (let o = 0; o < no; o++) {
      const image = Math.floor(o / group) * h * w * c;
      for (let p = o * points; p < (o + 1) * points; p++) {
        const py = (gs[2 * p]! + 1) * sy;
        const px = (gs[2 * p + 1]! + 1) * sx;
        const y0 = Math.floor(py);
        const x0 = Math.floor(px);
        const fy = py - y0;
        const fx = px - x0;
        const yo = p * c;
        for (let i = 0; i < 2; i++) {
          const yy = y0 + i;
          if (!(yy >= 0 && yy < h)) continue;
          const wy = i === 0 ? 1 - fy : fy;
          for (let j = 0; j < 2; j++) {
            const xx = x0 + j;
            if (!(xx >= 0 && xx < w)) continue;
            const weight = wy * (j === 0 ? 1 - fx : fx);
            const xi = image + (yy * w + xx) * c;
            for (let k = 0; k < c; k++) out[yo + k]! += weight * xs[xi + k]!;
          }
        }
      }
    }
    return cpu.wrap(out, [no, ho, wo, c]);
  },

  BilinearSamplerBackward: (cpu, { x, grid, dy }, { needDx, needDgrid }) => {
    const [n, h, w, c] = dims4(x.shape);
    const [no, ho, wo] = dims4(grid.shape);
    const xs = cpu.contiguous(x);
    const gs = cpu.contiguous(grid);
    const ds = cpu.contiguous(dy);
    const dx: FloatArray | null = needDx ? cpu.alloc(n * h * w * c) : null;
    const dg: FloatArray | null = needDgrid ? cpu.alloc(no * ho * wo * 2) : null;
    const group = no / n;
    const sy = (h - 1) / 2;
    const sx = (w - 1) / 2;
    const points = ho * wo;
    for (let o = 0; o < no; o++) {
      const image = Math.floor(o / group) * h * w * c;
      for (let p = o * points; p < (o + 1) * points; p++) {
        const py = (gs[2 * p]! + 1) * sy;
        const px = (gs[2 * p + 1]! + 1) * sx;
        const y0 = Math.floor(py);
        const x0 = Math.floor(px);
        const fy = py - y0;
        const fx = px - x0;
        const yo = p * c;
        let gy = 0;
        let gx = 0;
        for (let i = 0; i < 2; i++) {
          const yy = y0 + i;
          if (!(yy >= 0 && yy < h)) continue;
          const wy = i === 0 ? 1 - fy : fy;
          const dwy = i === 0 ? -1 : 1;
          for (let j = 0; j < 2; j++) {
            const xx = x0 + j;
            if (!(xx >= 0 && xx < w)) continue;
            const wx = j === 0 ? 1 - fx : fx;
            const dwx = j === 0 ? -1 : 1;
            const xi = image + (yy * w + xx) * c;
            if (dx) {
              const weight = wy * wx;
              for (let k = 0; k < c; k++) dx[xi + k]! += weight * ds[yo + k]!;
            }
            if (dg) {
              let s = 0;
              for (let k = 0; k < c; k++) s += ds[yo + k]! * xs[xi + k]!;
              gy += s * dwy * wx;
              gx += s * wy * dwx;
            }
          }
        }
        if (dg) {
          dg[2 * p] = gy * sy;
          dg[2 * p + 1] = gx * sx;
        }
      }
    }
    return {
      dx: dx ? cpu.wrap(dx, [n, h, w, c]) : null,
      dgrid: dg ? cpu.wrap(dg, [no, ho, wo, 2]) : null,
    };
  },

  AffineGrid: (cpu, { theta }, { outSize }) => {
    const n = theta.shape[0]!;
    const [ho, wo] = outSize;
    const ts = cpu.contiguous(theta);
    const ys = linspace(ho);
    const xs = linspace(wo);
    const out = cpu.alloc(n * ho * wo * 2);
    let q = 0;
    for (let b = 0; b < n; b++) {
      const t = 6 * b;
      const a11 = ts[t]!;
      const a12 = ts[t + 1]!;
      const a13 = ts[t + 2]!;
      const a21 = ts[t + 3]!;
      const a22 = ts[t + 4]!;
      const a23 = ts[t + 5]!;
      for (let i = 0; i < ho; i++) {
        const y = ys[i]!;
        for (let j = 0; j < wo; j++) {
          const xj = xs[j]!;
          out[q++] = a11 * y + a12 * xj + a13;
          out[q++] = a21 * y + a22 * xj + a23;
        }
      }
    }
    return cpu.wrap(out, [n, ho, wo, 2]);
  },

  AffineGridBackward: (cpu, { theta, dgrid }, { outSize }) => {
    const n = theta.shape[0]!;
    const [ho, wo] = outSize;
    const gs = cpu.contiguous(dgrid);
    const ys = linspace(ho);
    const xs = linspace(wo);
    const out = cpu.alloc(n * 6);
    let q = 0;
    for (let b = 0; b < n; b++) {
      let s1y = 0;
      let s1x = 0;
      let s1 = 0;
      let s2y = 0;
      let s2x = 0;
      let s2 = 0;
      for (let i = 0; i < ho; i++) {
        const y = ys[i]!;
        for (let j = 0; j < wo; j++) {
          const xj = xs[j]!;
          const g1 = gs[q++]!;
          const g2 = gs[q++]!;
          s1y += g1 * y;
          s1x += g1 * xj;
          s1 += g1;
          s2y += g2 * y;
          s2x += g2 * xj;
          s2 += g2;
        }
      }
      out.set([s1y, s1x, s1, s2y, s2x, s2], 6 * b);
    }
    return cpu.wrap(out, [n, 2, 3]);
  },
} satisfies Partial<CpuKernelTable>;

/** `m` points evenly spaced over [−1, 1]; one point is the centre, 0 (MATLAB's linspace(−1, 1, 1) gives +1). */
export function linspace(m: number): Float64Array {
  const v = new Float64Array(m);
  for (let i = 0; i < m; i++) v[i] = m === 1 ? 0 : -1 + (2 * i) / (m - 1);
  return v;
}

function dims4(shape: readonly number[]): [number, number, number, number] {
  return [shape[0]!, shape[1]!, shape[2]!, shape[3]!];
}
