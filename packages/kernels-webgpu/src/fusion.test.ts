import { scope, type Tensor } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { testBackend } from './test-device.js';
import type { WebGPUBackend } from './webgpu-backend.js';

/** Deterministic values in [−1, 1) (a 32-bit LCG). */
function values(count: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: count }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

/** Runs `work` once with fusion (nothing between the calls) and once with a flush after every call (nothing fuses). */
async function fusedAndUnfused(gpu: WebGPUBackend, work: (between: () => void) => Tensor[]) {
  const run = async (between: () => void) => {
    gpu.flush();
    gpu.resetStats();
    const out = work(between);
    const { dispatches } = gpu.stats();
    const data = await Promise.all(out.map((t) => t.data()));
    for (const t of out) t.dispose();
    return { dispatches, data: data.map((d) => Array.from(d)) };
  };
  return { fused: await run(() => {}), unfused: await run(() => gpu.flush()) };
}

function expectClose(a: readonly number[][], b: readonly number[][], tolerance: number): void {
  expect(a.length).toBe(b.length);
  a.forEach((row, r) => {
    expect(row.length).toBe(b[r]!.length);
    row.forEach((v, e) => {
      expect(Math.abs(v - b[r]![e]!), `output ${r} element ${e}`).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(v)));
    });
  });
}

describe('fewer dispatches: the conv → ReLU epilogue and element-wise update chains', () => {
  it('a ReLU of a convolution runs in its epilogue (implicit GEMM and plain GEMM), with the same values and ReLU derivative', async () => {
    const gpu = await testBackend();
    const cases = [
      { x: [2, 7, 6, 5], f: [3, 3, 5, 6], g: { pad: [1, 0, 2, 1] as [number, number, number, number], stride: [2, 1] as [number, number], dilate: [1, 2] as [number, number], groups: 1 } },
      { x: [3, 4, 4, 8], f: [1, 1, 4, 6], g: { pad: [0, 0, 0, 0] as [number, number, number, number], stride: [1, 1] as [number, number], dilate: [1, 1] as [number, number], groups: 2 } },
      { x: [1, 3, 3, 5], f: [3, 3, 5, 7], g: { pad: [0, 0, 0, 0] as [number, number, number, number], stride: [1, 1] as [number, number], dilate: [1, 1] as [number, number], groups: 1 } },
    ];
    for (const [i, c] of cases.entries()) {
      const x = gpu.tensor(values(c.x.reduce((p, d) => p * d), i + 1), c.x);
      const f = gpu.tensor(values(c.f.reduce((p, d) => p * d), i + 2), c.f);
      const b = gpu.tensor(values(c.f[3]!, i + 3), [c.f[3]!]);
      const { fused, unfused } = await fusedAndUnfused(gpu, (between) => {
        const y = gpu.run('Conv', { x, f, b }, c.g);
        between();
        const r = gpu.run('Relu', { x: y }, { leak: 0 });
        between();
        const dx = gpu.run('ReluBackward', { x: y, dy: r }, { leak: 0 });
        return [y, r, dx];
      });
      expect(fused.dispatches, `case ${i}`).toBe(unfused.dispatches - 1);
      expect(fused.data, `case ${i}`).toEqual(unfused.data);
      expect(fused.data[1]!.some((v) => v === 0) && fused.data[1]!.some((v) => v > 0)).toBe(true);
    }
  });

  it("the bias derivative (ReduceSum of dy right after ConvBackwardFilter) comes from the filter derivative's product", async () => {
    const gpu = await testBackend();
    for (const [i, c] of [
      { x: [2, 9, 7, 3], f: [3, 2, 3, 10], g: { pad: [1, 0, 2, 1], stride: [1, 2], dilate: [2, 1], groups: 1 } },
      { x: [1, 6, 6, 6], f: [2, 2, 2, 9], g: { pad: [0, 1, 1, 0], stride: [1, 1], dilate: [1, 1], groups: 3 } },
      { x: [3, 4, 5, 8], f: [1, 1, 8, 12], g: { pad: [0, 0, 0, 0], stride: [1, 1], dilate: [1, 1], groups: 1 } },
    ].entries()) {
      const g = c.g as { pad: [number, number, number, number]; stride: [number, number]; dilate: [number, number]; groups: number };
      const x = gpu.tensor(values(c.x.reduce((p, d) => p * d), i + 20), c.x);
      const f = gpu.empty(c.f);
      const y = gpu.run('Conv', { x, f, b: null }, g);
      const dy = gpu.tensor(values(y.size, i + 21), y.shape);
      const { fused, unfused } = await fusedAndUnfused(gpu, (between) => {
        const df = gpu.run('ConvBackwardFilter', { x, dy }, { ...g, fShape: c.f });
        between();
        return [df, gpu.run('ReduceSum', { x: dy }, { axes: [0, 1, 2] })];
      });
      expect(fused.dispatches, `case ${i}`).toBe(unfused.dispatches - 1);
      expect(fused.data[0], `case ${i} df`).toEqual(unfused.data[0]);
      expectClose([fused.data[1]!], [unfused.data[1]!], 2 ** -20);
    }
  });

  it('a leaky ReLU, or a ReLU of something else, is not fused', async () => {
    const gpu = await testBackend();
    const x = gpu.tensor(values(2 * 5 * 5 * 3, 9), [2, 5, 5, 3]);
    const f = gpu.tensor(values(3 * 3 * 3 * 4, 8), [3, 3, 3, 4]);
    const geometry = { pad: [1, 1, 1, 1] as [number, number, number, number], stride: [1, 1] as [number, number], dilate: [1, 1] as [number, number], groups: 1 };
    const { fused, unfused } = await fusedAndUnfused(gpu, (between) => {
      const y = gpu.run('Conv', { x, f, b: null }, geometry);
      between();
      const leaky = gpu.run('Relu', { x: y }, { leak: 0.1 });
      const other = gpu.run('Relu', { x }, { leak: 0 });
      return [y, leaky, other];
    });
    expect(fused.dispatches).toBe(3);
    expect(fused).toEqual(unfused);
  });

  it("the trainer's SGD update (g = der/N + λw, v ← μv − g, w ← w + ηv) is one dispatch per parameter, the same values", async () => {
    const gpu = await testBackend();
    const n = 1003;
    const der = gpu.tensor(values(n, 1), [17, 59]);
    const w = gpu.tensor(values(n, 2), [17, 59]);
    const v0 = gpu.tensor(values(n, 3), [17, 59]);
    const step = (between: () => void, first: boolean): Tensor[] =>
      scope(() => {
        const g = gpu.run('Axpby', { x: der, y: w }, { alpha: 1 / 100, beta: 5e-4 });
        between();
        const v = first ? gpu.run('Unary', { x: g }, { op: 'neg', alpha: 0 }) : gpu.run('Axpby', { x: v0, y: g }, { alpha: 0.9, beta: -1 });
        between();
        return [v, gpu.run('Axpby', { x: w, y: v }, { alpha: 1, beta: 0.01 })];
      });
    for (const first of [false, true]) {
      const { fused, unfused } = await fusedAndUnfused(gpu, (between) => step(between, first));
      expect(unfused.dispatches).toBe(3);
      expect(fused.dispatches).toBe(1);
      expectClose(fused.data, unfused.data, 2 ** -22);
    }
    // On the host, in float64: the same update.
    const [dv, wv, vv] = [values(n, 1), values(n, 2), values(n, 3)];
    const { fused } = await fusedAndUnfused(gpu, (between) => step(between, false));
    for (let e = 0; e < n; e += 97) {
      const g = dv[e]! / 100 + 5e-4 * wv[e]!;
      const v = 0.9 * vv[e]! - g;
      expect(fused.data[0]![e]).toBeCloseTo(v, 6);
      expect(fused.data[1]![e]).toBeCloseTo(wv[e]! + 0.01 * v, 6);
    }
  });

  it('an intermediate disposed before the chain runs is not written', async () => {
    const gpu = await testBackend();
    const x = gpu.tensor(values(300, 11), [300]);
    const y = gpu.tensor(values(300, 12), [300]);
    const { fused, unfused } = await fusedAndUnfused(gpu, (between) => {
      const a = gpu.run('Axpby', { x, y }, { alpha: 0.5, beta: 2 });
      between();
      const b = gpu.run('Axpby', { x: a, y }, { alpha: 3, beta: -1 });
      between();
      a.dispose();
      const c = gpu.run('Axpby', { x: b, y: x }, { alpha: 1, beta: 0.25 });
      return [b, c];
    });
    expect([fused.dispatches, unfused.dispatches]).toEqual([1, 3]);
    expectClose(fused.data, unfused.data, 2 ** -22);
  });

  it('operands disposed while the chain waits keep their values (their buffers are not reused, even for a copy of an unaligned view)', async () => {
    const gpu = await testBackend();
    const base = gpu.tensor(values(5010, 13), [5010]);
    // An unaligned view (offset 20,000 bytes), bound through a copy into a pooled temporary.
    const view = gpu.run('Slice', { x: base }, { begin: [5000], size: [10] });
    const expected = Array.from(await view.data(), (g, e) => {
      const w = values(10, 14)[e]!;
      return w + 0.01 * (0.9 * values(10, 15)[e]! - (g / 4 + 5e-4 * w));
    });
    const w = gpu.tensor(values(10, 14), [10]);
    const v = gpu.tensor(values(10, 15), [10]);
    const next = scope(() => {
      const g = gpu.run('Axpby', { x: view, y: w }, { alpha: 1 / 4, beta: 5e-4 });
      const v2 = gpu.run('Axpby', { x: v, y: g }, { alpha: 0.9, beta: -1 });
      return gpu.run('Axpby', { x: w, y: v2 }, { alpha: 1, beta: 0.01 });
    });
    // The trainer replaces w and v before anything encodes the chain; their buffers are free then.
    w.dispose();
    v.dispose();
    view.dispose();
    const got = await next.data();
    expected.forEach((want, e) => {
      expect(got[e]).toBeCloseTo(want, 6);
    });
  });

  it('Adam-like chains of Unary and same-shape Binary ops fuse; broadcasting, other sizes and non-element-wise kernels do not', async () => {
    const gpu = await testBackend();
    const g = gpu.tensor(values(64, 4), [8, 8]);
    const m0 = gpu.tensor(values(64, 5), [8, 8]);
    const s0 = gpu.tensor(
      Array.from(values(64, 6), (v) => Math.abs(v)),
      [8, 8],
    );
    const w = gpu.tensor(values(64, 7), [8, 8]);
    const row = gpu.tensor(values(8, 8), [8]);
    const { fused, unfused } = await fusedAndUnfused(gpu, (between) =>
      scope(() => {
        const m = gpu.run('Axpby', { x: m0, y: g }, { alpha: 0.9, beta: 0.1 });
        between();
        const g2 = gpu.run('Unary', { x: g }, { op: 'square', alpha: 0 });
        between();
        const s = gpu.run('Axpby', { x: s0, y: g2 }, { alpha: 0.999, beta: 0.001 });
        between();
        const root = gpu.run('Unary', { x: s }, { op: 'sqrt', alpha: 0 });
        between();
        const denom = gpu.run('Unary', { x: root }, { op: 'addScalar', alpha: 1e-8 });
        between();
        const ratio = gpu.run('Binary', { a: m, b: denom }, { op: 'div' });
        between();
        const next = gpu.run('Axpby', { x: w, y: ratio }, { alpha: 1, beta: -0.001 });
        between();
        // Not fusable: a broadcast Binary, a tensor of another size, a non-element-wise kernel.
        const broadcast = gpu.run('Binary', { a: next, b: row }, { op: 'max' });
        const summed = gpu.run('ReduceSum', { x: next }, { axes: [0] });
        return [m, s, next, broadcast, summed];
      }),
    );
    expect(unfused.dispatches).toBe(9);
    // m, g², s, √s and + ε in one chain (8 bindings: the default limit), m / denom and the step in a second, then the two others.
    expect(fused.dispatches).toBe(gpu.device.limits.maxStorageBuffersPerShaderStage === 8 ? 4 : 3);
    expectClose(fused.data, unfused.data, 2 ** -20);
  });
});
