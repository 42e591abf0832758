import { type ConvGeometry, isTensor, type Shape, type Tensor } from '@convnet-ts/tensor';
import type { WebGPUKernelTable } from '../kernel-table.js';
import type { Program } from '../program.js';
import type { WebGPUBackend } from '../webgpu-backend.js';
import { convDataTiled } from './conv-data-tiled.js';
import { convFilterTiled } from './conv-filter-tiled.js';
import { convDataGemm, convFilterGemm, convGemmProgram, gemmLayout } from './conv-gemm.js';
import { chooseConvTile, convTiledProgram } from './conv-tiled.js';

/**
 * Convolution and its two derivatives (manual §4.1, §6.1). 1×1 convolutions
 * and fully connected layers are plain tiled GEMMs (`conv-gemm.ts`); every
 * other shape a tiled implicit GEMM in workgroup memory (`conv-tiled.ts`,
 * `conv-data-tiled.ts`, `conv-filter-tiled.ts`) — whenever the device has a
 * tile that fits its limits and the workgroup grid fits
 * `maxComputeWorkgroupsPerDimension`; otherwise a direct convolution with
 * one thread per output element. The forward pass is deferred so that a
 * ReLU recorded next runs in its epilogue (`deferWithRelu`). With groups G,
 * output channel k reads input channels `[g·C/G, (g+1)·C/G)`, g = ⌊k/(K/G)⌋.
 *
 *     y[n,i″,j″,k]  = b[k] + Σ_{i′,j′,d} x[n, Sy·i″ + Dy·i′ − Pt, Sx·j″ + Dx·j′ − Pl, g·C/G + d] · f[i′,j′,d,k]
 *     dx[n,i,j,c]   = Σ over (i′, j′, i″, j″) that reach (i, j), and k in c's group, of dy[n,i″,j″,k] · f[i′,j′,c mod C/G,k]
 *     df[i′,j′,d,k] = Σ_{n,i″,j″} x[n, Sy·i″ + Dy·i′ − Pt, …, g·C/G + d] · dy[n,i″,j″,k]
 *
 * Each is a gather: every thread owns the one value it writes.
 */
export const convKernels = {
  Conv: (gpu, { x, f, b }, attrs) => {
    const [hf, wf] = f.shape as [number, number];
    const [, h, w] = x.shape as [number, number, number];
    const ho = Math.floor((h + attrs.pad[0] + attrs.pad[1] - ((hf - 1) * attrs.dilate[0] + 1)) / attrs.stride[0]) + 1;
    const wo = Math.floor((w + attrs.pad[2] + attrs.pad[3] - ((wf - 1) * attrs.dilate[1] + 1)) / attrs.stride[1]) + 1;
    const tile = chooseConvTile(gpu.device.limits);
    if (!tile) return convDirect(gpu, x, f, b, attrs, ho, wo);
    const y = gpu.empty([x.shape[0]!, ho, wo, f.shape[3]!]);
    const layout = gemmLayout(x.shape, f.shape, attrs);
    const build = (relu?: Tensor) =>
      layout ? convGemmProgram(gpu, x, f, b, y, layout, attrs.groups, tile, relu) : convTiledProgram(gpu, x, f, b, attrs, y, tile, relu);
    const program = build();
    if (!program) {
      y.dispose();
      return convDirect(gpu, x, f, b, attrs, ho, wo);
    }
    deferWithRelu(gpu, y, program, [x, f, ...(b ? [b] : [])], build);
    return y;
  },

  ConvBackwardData: (gpu, { dy, f }, attrs) => {
    const tile = chooseConvTile(gpu.device.limits);
    if (!tile) return convDataDirect(gpu, dy, f, attrs);
    const layout = gemmLayout(attrs.xShape, f.shape, attrs);
    const tiled = layout ? convDataGemm(gpu, dy, f, attrs.xShape, layout, attrs.groups, tile) : convDataTiled(gpu, dy, f, attrs.xShape, attrs, tile);
    return tiled ?? convDataDirect(gpu, dy, f, attrs);
  },

  ConvBackwardFilter: (gpu, { x, dy }, attrs) => {
    const tile = chooseConvTile(gpu.device.limits);
    if (!tile) return convFilterDirect(gpu, x, dy, attrs);
    const layout = gemmLayout(x.shape, attrs.fShape, attrs);
    const tiled = layout
      ? convFilterGemm(gpu, x, dy, attrs.fShape, layout, attrs.groups, tile, true)
      : convFilterTiled(gpu, x, dy, attrs.fShape, attrs, tile, true);
    if (!tiled) return convFilterDirect(gpu, x, dy, attrs);
    if (tiled.db) offerBiasSum(gpu, dy, tiled.db);
    return tiled.df;
  },
} satisfies Partial<WebGPUKernelTable>;

/**
 * Defers the convolution producing `y` so that a `Relu` with leak 0 of
 * exactly `y` recorded next fuses into its epilogue: one dispatch writes y
 * and max(y, 0). y itself is still written (the ReLU derivative and any
 * other reader see it), so fusing changes no value, only the dispatch count.
 * Not fused when the ReLU's output would share a buffer with the
 * convolution's operands (a released operand's buffer reused).
 */
function deferWithRelu(gpu: WebGPUBackend, y: Tensor, unfused: Program, operands: readonly Tensor[], build: (relu: Tensor) => Program | undefined): void {
  let program = unfused;
  let open = true;
  gpu.defer({
    program: () => program,
    fuse: (kernel, inputs, attrs) => {
      const x = inputs.x;
      if (!open || kernel !== 'Relu' || attrs.leak !== 0 || !isTensor(x) || !gpu.sameElements(x, y)) return undefined;
      const relu = gpu.empty(x.shape);
      const fused = gpu.sharesBuffer(relu, operands) ? undefined : build(relu);
      if (!fused) {
        relu.dispose();
        return undefined;
      }
      program = fused;
      open = false;
      return relu;
    },
  });
}

/**
 * The bias derivative came with the filter's (a row of ones in its
 * product): a `ReduceSum` of exactly `dy` over its first three axes recorded
 * next — the blocks' `biasDerivative`, called right after
 * `ConvBackwardFilter` — returns it instead of a dispatch. Otherwise it is
 * disposed when the next work is encoded.
 */
function offerBiasSum(gpu: WebGPUBackend, dy: Tensor, db: Tensor): void {
  let taken = false;
  gpu.defer({
    program: () => {
      if (!taken) db.dispose();
      return undefined;
    },
    fuse: (kernel, inputs, attrs) => {
      const x = inputs.x;
      const axes = attrs.axes;
      if (taken || kernel !== 'ReduceSum' || !isTensor(x) || x.rank !== 4 || !gpu.sameElements(x, dy) || !Array.isArray(axes)) return undefined;
      if (axes.length !== 3 || ![0, 1, 2].every((a) => axes.includes(a))) return undefined;
      taken = true;
      return db;
    },
  });
}

/** The direct data derivative: one thread per input element, gathering over the taps that reach it. */
export function convDataDirect(gpu: WebGPUBackend, dy: Tensor, f: Tensor, attrs: ConvGeometry & { xShape: Shape }): Tensor {
  const dx = gpu.empty(attrs.xShape);
  gpu.dispatch({
    kernel: 'ConvBackwardData',
    variant: '',
    inputs: { dy, f },
    outputs: { dx },
    ...uniforms(attrs.xShape, f.shape, dy.shape[1]!, dy.shape[2]!, attrs),
    threads: dx.size,
    body: `  let ch = i % u.c;
  let pix = i / u.c;
  let ix = i32(pix % u.w);
  let iy = i32((pix / u.w) % u.h);
  let n = pix / (u.w * u.h);
  let k0 = (ch / u.cg) * u.kg;
  let d = ch % u.cg;
  var acc = 0.0;
  for (var fy = 0u; fy < u.hf; fy++) {
    let ty = iy + u.pt - i32(fy) * u.dily;
    if (ty < 0 || ty % u.sy != 0 || ty / u.sy >= i32(u.ho)) { continue; }
    for (var fx = 0u; fx < u.wf; fx++) {
      let tx = ix + u.pl - i32(fx) * u.dilx;
      if (tx < 0 || tx % u.sx != 0 || tx / u.sx >= i32(u.wo)) { continue; }
      let yb = ((n * u.ho + u32(ty / u.sy)) * u.wo + u32(tx / u.sx)) * u.k + k0;
      let fb = ((fy * u.wf + fx) * u.cg + d) * u.k + k0;
      for (var kk = 0u; kk < u.kg; kk++) { acc += dy[yb + kk] * f[fb + kk]; }
    }
  }
  dx[i] = acc;`,
  });
  return dx;
}

/** The direct filter derivative: one thread per filter element, looping over every output pixel. */
export function convFilterDirect(gpu: WebGPUBackend, x: Tensor, dy: Tensor, attrs: ConvGeometry & { fShape: Shape }): Tensor {
  const df = gpu.empty(attrs.fShape);
  gpu.dispatch({
    kernel: 'ConvBackwardFilter',
    variant: '',
    inputs: { x, dy },
    outputs: { df },
    ...uniforms(x.shape, attrs.fShape, dy.shape[1]!, dy.shape[2]!, attrs),
    threads: df.size,
    body: `  let k = i % u.k;
  let d = (i / u.k) % u.cg;
  let fx = i32((i / (u.k * u.cg)) % u.wf);
  let fy = i32(i / (u.k * u.cg * u.wf));
  let ch = (k / u.kg) * u.cg + d;
  var acc = 0.0;
  for (var n = 0u; n < u.n; n++) {
    for (var oy = 0u; oy < u.ho; oy++) {
      let iy = i32(oy) * u.sy + fy * u.dily - u.pt;
      if (iy < 0 || iy >= i32(u.h)) { continue; }
      for (var ox = 0u; ox < u.wo; ox++) {
        let ix = i32(ox) * u.sx + fx * u.dilx - u.pl;
        if (ix < 0 || ix >= i32(u.w)) { continue; }
        acc += x[((n * u.h + u32(iy)) * u.w + u32(ix)) * u.c + ch] * dy[((n * u.ho + oy) * u.wo + ox) * u.k + k];
      }
    }
  }
  df[i] = acc;`,
  });
  return df;
}

/** The direct forward convolution: one thread per output element. */
export function convDirect(gpu: WebGPUBackend, x: Tensor, f: Tensor, b: Tensor | null, attrs: ConvGeometry, ho: number, wo: number): Tensor {
  const u = uniforms(x.shape, f.shape, ho, wo, attrs);
  const y = gpu.empty([x.shape[0]!, ho, wo, f.shape[3]!]);
  gpu.dispatch({
    kernel: 'Conv',
    variant: b ? 'bias' : 'nobias',
    inputs: b ? { x, f, b } : { x, f },
    outputs: { y },
    ...u,
    threads: y.size,
    body: `  let k = i % u.k;
  let p = i / u.k;
  let ox = i32(p % u.wo);
  let oy = i32((p / u.wo) % u.ho);
  let n = p / (u.wo * u.ho);
  let c0 = (k / u.kg) * u.cg;
  var acc = ${b ? 'b[k]' : '0.0'};
  for (var fy = 0u; fy < u.hf; fy++) {
    let iy = oy * u.sy + i32(fy) * u.dily - u.pt;
    if (iy < 0 || iy >= i32(u.h)) { continue; }
    for (var fx = 0u; fx < u.wf; fx++) {
      let ix = ox * u.sx + i32(fx) * u.dilx - u.pl;
      if (ix < 0 || ix >= i32(u.w)) { continue; }
      let xb = ((n * u.h + u32(iy)) * u.w + u32(ix)) * u.c + c0;
      let fb = (fy * u.wf + fx) * u.cg * u.k + k;
      for (var d = 0u; d < u.cg; d++) { acc += x[xb + d] * f[fb + d * u.k]; }
    }
  }
  y[i] = acc;`,
  });
  return y;
}

function uniforms(xShape: Shape, fShape: Shape, ho: number, wo: number, g: ConvGeometry) {
  const [n, h, w, c] = xShape as [number, number, number, number];
  const [hf, wf, cg, k] = fShape as [number, number, number, number];
  return {
    u32: { n, h, w, c, ho, wo, k, kg: k / g.groups, cg, hf, wf },
    i32: { sy: g.stride[0], sx: g.stride[1], dily: g.dilate[0], dilx: g.dilate[1], pt: g.pad[0], pl: g.pad[2] },
  };
}
