/**
 * `moveTensor(t, backend)` — a copy of one tensor on another backend (the
 * per-tensor step of MatConvNet's `vl_simplenn_move` / `DagNN.move`,
 * matconvnet-api §2.4, where `gpuArray(x)` and `gather(x)` move arrays
 * between the CPU and the GPU).
 *
 * The values travel through `await t.data()` and `backend.tensor(values,
 * shape)`, so any pair of backends works (CPU ↔ WebGPU, float64 ↔ float32:
 * the destination's dtype wins, float64 → float32 rounds to nearest). Async
 * because reading a GPU tensor is.
 *
 * Decisions: the result is always a new tensor, even when `backend` is the
 * tensor's own backend, so the two can be disposed independently; the source
 * is left alive (dispose it yourself when it is no longer needed). Moving a
 * disposed tensor throws a `DisposedError` naming `moveTensor`.
 */
import type { Backend } from './backend.js';
import type { Tensor } from './tensor.js';

/** A copy of `t` whose values live on `backend`, with the same shape. */
export async function moveTensor(t: Tensor, backend: Backend): Promise<Tensor> {
  t.assertAlive('moveTensor', 't');
  const values = await t.backend.read(t);
  return backend.tensor(values, t.shape);
}
