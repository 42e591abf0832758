import { formatShape, ShapeError, shapesEqual, type Tensor } from '@convnet-ts/tensor';

export interface CheckDerivativeOptions {
  /** Step of the central difference. Default 1e-6 for float64 tensors, 1e-2 for float32. */
  delta?: number;
  /** Largest accepted error, relative to the largest derivative. Default 1e-5 (float64), 2e-2 (float32). */
  tolerance?: number;
}

export interface CheckDerivativeResult {
  /** True when `maxError ≤ tolerance`. */
  passed: boolean;
  /** max_i |numerical_i − analytic_i| / max(max|analytic|, max|numerical|, 1e-12). */
  maxError: number;
  /** Index of the worst element (row-major). */
  worstIndex: number;
  numerical: Float64Array;
  analytic: Float64Array;
  tolerance: number;
}

/**
 * Numerical derivative check (MatConvNet's `vl_testder`): compares the
 * projected derivative `dzdx` that a block's backward mode returned with
 * central differences of its forward mode,
 *
 *   dzdx_i ≈ Σ_j dzdy_j · (f(x + δ e_i)_j − f(x − δ e_i)_j) / (2δ).
 *
 * `fn` is the forward mode as a function of the input being checked (close
 * over the others). Each element of `x` costs two forward evaluations, so keep
 * shapes small; use a float64 backend for tight tolerances, and choose inputs
 * away from kinks (ReLU at 0, ties in max pooling).
 */
export async function checkDerivative(
  fn: (x: Tensor) => Tensor,
  x: Tensor,
  dzdy: Tensor,
  dzdx: Tensor,
  options: CheckDerivativeOptions = {},
): Promise<CheckDerivativeResult> {
  if (!shapesEqual(dzdx.shape, x.shape)) {
    throw new ShapeError(
      'checkDerivative',
      'dzdx',
      `dzdx must have the shape of x ${formatShape(x.shape)}, got ${formatShape(dzdx.shape)}`,
    );
  }
  const is64 = x.dtype === 'float64';
  const delta = options.delta ?? (is64 ? 1e-6 : 1e-2);
  const tolerance = options.tolerance ?? (is64 ? 1e-5 : 2e-2);
  const backend = x.backend;
  const x0 = Float64Array.from(await x.data());
  const projection = Float64Array.from(await dzdy.data());
  const analytic = Float64Array.from(await dzdx.data());
  const numerical = new Float64Array(x0.length);

  const evaluate = async (values: Float64Array): Promise<Float64Array> => {
    const xt = backend.tensor(values, x.shape);
    const y = fn(xt);
    if (!shapesEqual(y.shape, dzdy.shape)) {
      throw new ShapeError(
        'checkDerivative',
        'dzdy',
        `dzdy must have the shape of fn(x) ${formatShape(y.shape)}, got ${formatShape(dzdy.shape)}`,
      );
    }
    const out = Float64Array.from(await y.data());
    y.dispose();
    xt.dispose();
    return out;
  };

  const probe = Float64Array.from(x0);
  for (let i = 0; i < x0.length; i++) {
    probe[i] = x0[i]! + delta;
    const plus = await evaluate(probe);
    probe[i] = x0[i]! - delta;
    const minus = await evaluate(probe);
    probe[i] = x0[i]!;
    let s = 0;
    for (let j = 0; j < plus.length; j++) s += projection[j]! * (plus[j]! - minus[j]!);
    numerical[i] = s / (2 * delta);
  }

  let scale = 1e-12;
  for (let i = 0; i < x0.length; i++) scale = Math.max(scale, Math.abs(analytic[i]!), Math.abs(numerical[i]!));
  let maxError = 0;
  let worstIndex = -1;
  for (let i = 0; i < x0.length; i++) {
    const e = Math.abs(numerical[i]! - analytic[i]!) / scale;
    if (e > maxError || worstIndex < 0) {
      maxError = e;
      worstIndex = i;
    }
  }
  return { passed: maxError <= tolerance, maxError, worstIndex, numerical, analytic, tolerance };
}

/** `checkDerivative`, throwing an error that shows the worst element when the check fails. */
export async function assertDerivative(
  fn: (x: Tensor) => Tensor,
  x: Tensor,
  dzdy: Tensor,
  dzdx: Tensor,
  options: CheckDerivativeOptions & { name?: string } = {},
): Promise<CheckDerivativeResult> {
  const r = await checkDerivative(fn, x, dzdy, dzdx, options);
  if (!r.passed) {
    const i = r.worstIndex;
    throw new Error(
      `${options.name ?? 'derivative'}: relative error ${r.maxError.toExponential(3)} > ${r.tolerance} at element ${i} ` +
        `(numerical ${r.numerical[i]}, analytic ${r.analytic[i]})`,
    );
  }
  return r;
}
