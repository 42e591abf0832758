import type { WebGPUKernelTable } from '../kernel-table.js';

/**
 * Spatial transformer kernels (manual §4.5, §6.5) and the affine grid
 * generator, with the CPU's conventions: p = (g + 1)/2 · (size − 1), output o
 * reads image ⌊o/(No/N)⌋, taps outside the image (or at non-finite positions)
 * contribute zero, and the grid derivative is one-sided from the right.
 *
 * dx is a gather: each input element walks the points of the outputs that
 * read its image and keeps the taps that land on it — no atomics, but
 * O(H·W·Ho·Wo·No/N) work; a scatter with atomics is the fast path to come.
 */
export const samplerKernels = {
  BilinearSampler: (gpu, { x, grid }) => {
    const [no, ho, wo] = grid.shape as [number, number, number];
    const y = gpu.empty([no, ho, wo, x.shape[3]!]);
    gpu.dispatch({
      kernel: 'BilinearSampler',
      variant: '',
      inputs: { x, grid },
      outputs: { y },
      ...uniforms(x.shape, grid.shape),
      threads: y.size,
      helpers: TAPS,
      body: `  let k = i % u.c;
  let p = i / u.c;
  let t = taps(p);
  var acc = 0.0;
  for (var a = 0u; a < 4u; a++) {
    if (t.ok[a]) { acc += t.w[a] * x[t.at[a] * u.c + k]; }
  }
  y[i] = acc;`,
    });
    return y;
  },

  BilinearSamplerBackward: (gpu, { x, grid, dy }, { needDx, needDgrid }) => {
    const u = uniforms(x.shape, grid.shape);
    let dx = null;
    let dgrid = null;
    if (needDx) {
      dx = gpu.empty(x.shape);
      gpu.dispatch({
        kernel: 'BilinearSamplerBackward',
        variant: 'dx',
        inputs: { x, grid, dy },
        outputs: { dx },
        ...u,
        threads: dx.size,
        helpers: TAPS,
        body: `  let k = i % u.c;
  let pix = i / u.c;
  let n = pix / (u.h * u.w);
  var acc = 0.0;
  for (var p = n * u.group * u.points; p < (n + 1u) * u.group * u.points; p++) {
    let t = taps(p);
    for (var a = 0u; a < 4u; a++) {
      if (t.ok[a] && t.at[a] == pix) { acc += t.w[a] * dy[p * u.c + k]; }
    }
  }
  dx[i] = acc;`,
      });
    }
    if (needDgrid) {
      dgrid = gpu.empty(grid.shape);
      gpu.dispatch({
        kernel: 'BilinearSamplerBackward',
        variant: 'dgrid',
        inputs: { x, grid, dy },
        outputs: { dgrid },
        ...u,
        threads: dgrid.size / 2,
        helpers: TAPS,
        body: `  let t = taps(i);
  var gy = 0.0;
  var gx = 0.0;
  for (var a = 0u; a < 4u; a++) {
    if (!t.ok[a]) { continue; }
    var s = 0.0;
    for (var k = 0u; k < u.c; k++) { s += dy[i * u.c + k] * x[t.at[a] * u.c + k]; }
    gy += s * t.dwy[a];
    gx += s * t.dwx[a];
  }
  dgrid[2u * i] = gy * u.sy;
  dgrid[2u * i + 1u] = gx * u.sx;`,
      });
    }
    return { dx, dgrid };
  },

  AffineGrid: (gpu, { theta }, { outSize }) => {
    const y = gpu.empty([theta.shape[0]!, outSize[0], outSize[1], 2]);
    gpu.dispatch({
      kernel: 'AffineGrid',
      variant: '',
      inputs: { theta },
      outputs: { y },
      u32: { ho: outSize[0], wo: outSize[1] },
      threads: y.size,
      helpers: LINSPACE,
      body: `  let r = i % 2u;
  let j = (i / 2u) % u.wo;
  let row = (i / (2u * u.wo)) % u.ho;
  let t = (i / (2u * u.wo * u.ho)) * 6u + 3u * r;
  y[i] = theta[t] * linspace(row, u.ho) + theta[t + 1u] * linspace(j, u.wo) + theta[t + 2u];`,
    });
    return y;
  },

  AffineGridBackward: (gpu, { theta, dgrid }, { outSize }) => {
    const dtheta = gpu.empty(theta.shape);
    gpu.dispatch({
      kernel: 'AffineGridBackward',
      variant: '',
      inputs: { dgrid },
      outputs: { dtheta },
      u32: { ho: outSize[0], wo: outSize[1] },
      threads: dtheta.size,
      helpers: LINSPACE,
      body: `  let col = i % 3u;
  let r = (i / 3u) % 2u;
  let b = i / 6u;
  var acc = 0.0;
  for (var row = 0u; row < u.ho; row++) {
    for (var j = 0u; j < u.wo; j++) {
      let coord = select(select(1.0, linspace(j, u.wo), col == 1u), linspace(row, u.ho), col == 0u);
      acc += dgrid[((b * u.ho + row) * u.wo + j) * 2u + r] * coord;
    }
  }
  dtheta[i] = acc;`,
    });
    return dtheta;
  },
} satisfies Partial<WebGPUKernelTable>;

function uniforms(xShape: readonly number[], gridShape: readonly number[]) {
  const [n, h, w, c] = xShape as [number, number, number, number];
  const [no, ho, wo] = gridShape as [number, number, number];
  return { u32: { h, w, c, group: no / n, points: ho * wo }, f32: { sy: (h - 1) / 2, sx: (w - 1) / 2 } };
}

/** `m` points evenly spaced over [−1, 1]; one point is 0. */
const LINSPACE = `
fn linspace(k: u32, m: u32) -> f32 { return select(-1.0 + 2.0 * f32(k) / f32(m - 1u), 0.0, m == 1u); }`;

/**
 * The four taps of grid point p (index over No·Ho·Wo): pixel index over N·H·W,
 * whether it is inside the image, its bilinear weight, and the weight's
 * derivatives along y and x.
 */
const TAPS = `
struct Taps { at: array<u32, 4>, ok: array<bool, 4>, w: array<f32, 4>, dwy: array<f32, 4>, dwx: array<f32, 4> }
fn taps(p: u32) -> Taps {
  var t: Taps;
  let py = (grid[2u * p] + 1.0) * u.sy;
  let px = (grid[2u * p + 1u] + 1.0) * u.sx;
  let y0 = floor(py);
  let x0 = floor(px);
  let fy = py - y0;
  let fx = px - x0;
  let image = p / (u.group * u.points);
  for (var a = 0u; a < 4u; a++) {
    let di = a / 2u;
    let dj = a % 2u;
    let yy = y0 + f32(di);
    let xx = x0 + f32(dj);
    let wy = select(1.0 - fy, fy, di == 1u);
    let wx = select(1.0 - fx, fx, dj == 1u);
    t.ok[a] = yy >= 0.0 && yy < f32(u.h) && xx >= 0.0 && xx < f32(u.w);
    t.at[a] = select(0u, (image * u.h + u32(max(yy, 0.0))) * u.w + u32(max(xx, 0.0)), t.ok[a]);
    t.w[a] = wy * wx;
    t.dwy[a] = select(-1.0, 1.0, di == 1u) * wx;
    t.dwx[a] = wy * select(-1.0, 1.0, dj == 1u);
  }
  return t;
}`;
