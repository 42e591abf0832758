/**
 * The computation of the browser smoke test, run on any backend: the chain
 * conv (3×3, pad 1) → relu → max pool (2×2, stride 2) → softmaxlog loss
 * (blocks §4.1, §4.4, §4.3, §4.8 of the MatConvNet manual), forward and
 * backward with dz/dloss = 1, on seeded inputs. Every derivative the chain
 * returns (x, filters, biases) and the forward values are read back.
 *
 * Inputs are plain numbers so the same case can be rebuilt on two backends
 * in one page; random values keep max-pool ties and ReLU kinks away (no two
 * products collide with float probability).
 */
import { conv, convBackward, loss, lossBackward, pool, poolBackward, relu, reluBackward } from '@convnet-ts/blocks';
import { type Backend, type Shape, Rng, sizeOf } from '@convnet-ts/tensor';

export interface ChainCase {
  x: number[];
  xShape: Shape;
  f: number[];
  fShape: Shape;
  b: number[];
  /** One class label 1..C per image. */
  labels: number[];
}

/** Every number the chain produces, by name. */
export interface ChainValues {
  y: number[];
  loss: number[];
  dzdx: number[];
  dzdf: number[];
  dzdb: number[];
}

const CONV = { pad: 1 };
const POOL = { stride: 2 };

/** The sizes of a case: images of `size`×`size`×`channels`, `filters` filters of 3×3 (`size` even). */
export interface ChainSize {
  size: number;
  channels: number;
  filters: number;
}

/** A seeded case: `n` images (default 8×8×3, 4 filters of 3×3). */
export function chainCase(seed: number, n = 2, dims: ChainSize = { size: 8, channels: 3, filters: 4 }): ChainCase {
  const rng = new Rng(seed);
  const xShape = [n, dims.size, dims.size, dims.channels];
  const fShape = [3, 3, dims.channels, dims.filters];
  const labels = Array.from({ length: n }, (_, i) => 1 + (i % dims.filters));
  return {
    x: Array.from(rng.randn(sizeOf(xShape))),
    xShape,
    f: Array.from(rng.randn(sizeOf(fShape)), (v) => 0.3 / Math.sqrt(dims.channels / 3) * v),
    fShape,
    b: Array.from(rng.randn(dims.filters), (v) => 0.1 * v),
    labels,
  };
}

/** Runs the chain forward and backward on `backend` and reads every result. */
export async function runChain(backend: Backend, c: ChainCase): Promise<ChainValues> {
  const x = backend.tensor(c.x, c.xShape);
  const f = backend.tensor(c.f, c.fShape);
  const b = backend.tensor(c.b, [c.b.length]);
  const y1 = conv(x, f, b, CONV);
  const y2 = relu(y1);
  const y3 = pool(y2, 2, POOL);
  const z = loss(y3, c.labels);
  const d3 = lossBackward(y3, c.labels, 1);
  const d2 = poolBackward(y2, 2, d3, POOL);
  const d1 = reluBackward(y1, d2);
  const { dzdx, dzdf, dzdb } = convBackward(x, f, b, d1, CONV);
  if (!dzdx || !dzdf || !dzdb) throw new Error('runChain: convBackward returned no derivative');
  const read = async (t: { data(): Promise<ArrayLike<number>> }): Promise<number[]> => Array.from(await t.data());
  const values = { y: await read(y3), loss: await read(z), dzdx: await read(dzdx), dzdf: await read(dzdf), dzdb: await read(dzdb) };
  for (const t of [x, f, b, y1, y2, y3, z, d3, d2, d1, dzdx, dzdf, dzdb]) t.dispose();
  return values;
}
