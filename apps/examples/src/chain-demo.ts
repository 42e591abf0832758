/**
 * The main job until the trainer lands: a conv → relu → pool → conv →
 * softmaxloss chain run forward and backward on a random batch, then its
 * derivatives checked against central differences (MatConvNet's vl_testder).
 *
 *   pnpm demo            (from the repository root)
 */
import {
  checkDerivative,
  conv,
  convBackward,
  pool,
  poolBackward,
  relu,
  reluBackward,
  softmaxloss,
  softmaxlossBackward,
} from '@convnet-ts/blocks';
import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { type Backend, Rng, randnTensor, type Tensor } from '@convnet-ts/tensor';

interface Chain {
  f1: Tensor;
  b1: Tensor;
  f2: Tensor;
  b2: Tensor;
  labels: number[];
}

/** z = softmaxloss(conv(pool(relu(conv(x, f1, b1))), f2, b2), labels). */
function forward(x: Tensor, p: Chain): { z: Tensor; y1: Tensor; y2: Tensor; y3: Tensor; y4: Tensor } {
  const y1 = conv(x, p.f1, p.b1, { pad: 1 });
  const y2 = relu(y1);
  const y3 = pool(y2, 2, { method: 'max', stride: 2 });
  const y4 = conv(y3, p.f2, p.b2);
  return { z: softmaxloss(y4, p.labels), y1, y2, y3, y4 };
}

function backward(x: Tensor, p: Chain) {
  const { y1, y2, y3, y4 } = forward(x, p);
  const d4 = softmaxlossBackward(y4, p.labels, 1);
  const g2 = convBackward(y3, p.f2, p.b2, d4);
  const d2 = poolBackward(y2, 2, g2.dzdx!, { method: 'max', stride: 2 });
  const d1 = reluBackward(y1, d2);
  const g1 = convBackward(x, p.f1, p.b1, d1, { pad: 1 });
  return { dzdx: g1.dzdx!, dzdf1: g1.dzdf!, dzdb1: g1.dzdb!, dzdf2: g2.dzdf!, dzdb2: g2.dzdb! };
}

function makeChain(be: Backend, rng: Rng, n: number, size: number, c: number, k: number, classes: number): Chain {
  const half = size / 2;
  return {
    f1: randnTensor(be, [3, 3, c, k], rng, Math.sqrt(2 / (9 * c))),
    b1: randnTensor(be, [k], rng, 0.1),
    f2: randnTensor(be, [half, half, k, classes], rng, Math.sqrt(1 / (half * half * k))),
    b2: randnTensor(be, [classes], rng, 0.1),
    labels: Array.from({ length: n }, () => 1 + rng.int(classes)),
  };
}

const norm = (v: ArrayLike<number>): number => Math.sqrt(Array.from(v).reduce((s, a) => s + a * a, 0));

async function main(): Promise<void> {
  // 1. A batch of 32 random 16×16×3 images through the chain, in float32.
  const be = createCpuBackend();
  const rng = new Rng(2026);
  const x = randnTensor(be, [32, 16, 16, 3], rng);
  const chain = makeChain(be, rng, 32, 16, 3, 16, 10);
  const t0 = performance.now();
  const { z, y1, y3, y4 } = forward(x, chain);
  const g = backward(x, chain);
  const ms = performance.now() - t0;
  console.log('convnet-ts chain demo: conv 3×3×3×16 (pad 1) → relu → max pool 2/2 → conv 8×8×16×10 → softmaxloss');
  console.log(`  x ${x.shape.join('×')} → conv ${y1.shape.join('×')} → pool ${y3.shape.join('×')} → scores ${y4.shape.join('×')}`);
  console.log(`  loss ${(await z.data())[0]!.toFixed(4)} (an untrained net: near ln 10 = ${Math.log(10).toFixed(4)})`);
  console.log(
    `  |dz/dx| ${norm(await g.dzdx.data()).toExponential(3)}  |dz/df1| ${norm(await g.dzdf1.data()).toExponential(3)}  ` +
      `|dz/df2| ${norm(await g.dzdf2.data()).toExponential(3)}  (forward + backward in ${ms.toFixed(0)} ms)`,
  );

  // 2. The derivatives checked numerically on a small batch, in float64.
  const be64 = createCpuBackend({ dtype: 'float64' });
  const rng64 = new Rng(7);
  const xs = randnTensor(be64, [2, 8, 8, 3], rng64);
  const small = makeChain(be64, rng64, 2, 8, 3, 4, 5);
  const grads = backward(xs, small);
  const dzdy = be64.tensor([1], [1]);
  const checks: [string, Promise<{ passed: boolean; maxError: number }>][] = [
    ['dz/dx ', checkDerivative((v) => forward(v, small).z, xs, dzdy, grads.dzdx)],
    ['dz/df1', checkDerivative((v) => forward(xs, { ...small, f1: v }).z, small.f1, dzdy, grads.dzdf1)],
    ['dz/db1', checkDerivative((v) => forward(xs, { ...small, b1: v }).z, small.b1, dzdy, grads.dzdb1)],
    ['dz/df2', checkDerivative((v) => forward(xs, { ...small, f2: v }).z, small.f2, dzdy, grads.dzdf2)],
    ['dz/db2', checkDerivative((v) => forward(xs, { ...small, b2: v }).z, small.b2, dzdy, grads.dzdb2)],
  ];
  console.log('derivative check (float64, central differences, batch 2×8×8×3):');
  let ok = true;
  for (const [name, pending] of checks) {
    const r = await pending;
    ok &&= r.passed;
    console.log(`  ${name}  max relative error ${r.maxError.toExponential(2)}  ${r.passed ? 'passed' : 'FAILED'}`);
  }
  if (!ok) {
    console.error('derivative check failed');
    process.exitCode = 1;
  }
}

await main();
