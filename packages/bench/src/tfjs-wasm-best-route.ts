import * as tf from '@tensorflow/tfjs-core';

/** The route tfjs-backend-wasm's convolution derivatives take in the bench. */
export const WASM_BEST_ROUTE = 'best route: both derivatives as XNNPACK Conv2D (src/tfjs-wasm-best-route.ts)';

type Info = tf.TensorInfo;
type Pads = [number, number, number, number];
interface KernelArgs {
  inputs: Record<string, Info>;
  backend: tf.KernelBackend;
  attrs: Record<string, unknown>;
}

let installed = false;

/** A kernel of 'wasm' as a function of TensorInfos (the backend's own kernels, called directly as tfjs's composite kernels do). */
function wasmKernel(name: string): (inputs: Record<string, Info>, backend: tf.KernelBackend, attrs: Record<string, unknown>) => Info {
  const k = tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`tfjs-backend-wasm has no ${name} kernel`);
  return (inputs, backend, attrs) => k.kernelFunc({ inputs, backend, attrs } as unknown as Parameters<typeof k.kernelFunc>[0]) as Info;
}

type Shape4 = [number, number, number, number];

/** The strides (a number or a pair, as tf.conv2d's gradient passes them on) and tfjs's padding of the forward convolution of x by f. */
function forwardGeometry(xShape: Shape4, fShape: Shape4, attrs: Record<string, unknown>): { s: [number, number]; top: number; left: number } {
  const s: [number, number] = typeof attrs.strides === 'number' ? [attrs.strides, attrs.strides] : (attrs.strides as [number, number]);
  const info = tf.backend_util.computeConv2DInfo(xShape, fShape, s, 1, attrs.pad as 'same', attrs.dimRoundingMode as 'floor' | undefined);
  return { s, top: info.padInfo.top, left: info.padInfo.left };
}

/**
 * `Conv2D` of `x` [N, H, W, C] with `f` [FH, FW, C, K], stride 1, filter
 * dilation `d`, explicit padding `[top, bottom, left, right]` that may be
 * negative (rows or columns cropped from x first: XNNPACK takes no negative
 * padding).
 */
function conv2dExplicit(backend: tf.KernelBackend, x: Info, f: Info, pads: Pads, d: [number, number]): Info {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const crop = pads.map((p) => Math.max(0, -p)) as Pads;
  let input = x;
  if (crop.some((p) => p > 0)) {
    input = wasmKernel('Slice')({ x }, backend, { begin: [0, crop[0], crop[2], 0], size: [n, h - crop[0] - crop[1], w - crop[2] - crop[3], c] });
  }
  const [t, b, l, r] = pads.map((p) => Math.max(0, p)) as Pads;
  const out = wasmKernel('Conv2D')({ x: input, filter: f }, backend, {
    strides: [1, 1],
    dilations: d,
    pad: [[0, 0], [t, b], [l, r], [0, 0]],
    dataFormat: 'NHWC',
    dimRoundingMode: undefined,
  });
  if (input !== x) backend.disposeData(input.dataId);
  return out;
}

/**
 * dzdf of y = conv(x, f) with stride s and padding (t, b, l, r), as one Conv2D:
 * dzdf[i, j, c, k] = Σ_{n,u,v} x[n, s·u + i − t, s·v + j − l, c] · dy[n, u, v, k],
 * which is a convolution of x with the images as channels (x transposed to
 * [C, H, W, N]) by dy as filters (transposed to [OH, OW, N, K]) at dilation s,
 * giving [C, FH, FW, K], transposed to [FH, FW, C, K]. Padding bottom/right
 * so the output is exactly FH × FW (negative: rows stride s never reaches are cropped).
 */
function filterGradient({ inputs, backend, attrs }: KernelArgs): Info {
  const { x, dy } = inputs as { x: Info; dy: Info };
  const filterShape = attrs.filterShape as Shape4;
  const {
    s: [s0, s1],
    top,
    left,
  } = forwardGeometry(x.shape as Shape4, filterShape, attrs);
  const [, h, w] = x.shape as Shape4;
  const [, oh, ow] = dy.shape as Shape4;
  const [fh, fw] = filterShape;
  const transpose = wasmKernel('Transpose');
  const xt = transpose({ x }, backend, { perm: [3, 1, 2, 0] });
  const dyt = transpose({ x: dy }, backend, { perm: [1, 2, 0, 3] });
  const bottom = fh + (oh - 1) * s0 - h - top;
  const right = fw + (ow - 1) * s1 - w - left;
  const g = conv2dExplicit(backend, xt, dyt, [top, bottom, left, right], [s0, s1]);
  backend.disposeData(xt.dataId);
  backend.disposeData(dyt.dataId);
  const out = transpose({ x: g }, backend, { perm: [1, 2, 0, 3] });
  backend.disposeData(g.dataId);
  return out;
}

/**
 * dzdx of y = conv(x, f) with stride s and padding (t, b, l, r), as one Conv2D:
 * dzdx[n, i, j, c] = Σ_{u,v,k} D[n, i − (FH−1−t) + u, j − (FW−1−l) + v, k] · f[FH−1−u, FW−1−v, c, k],
 * where D is dy with s − 1 zeros after every row and column (dy itself at s = 1):
 * a convolution of D by the flipped filters with input and output channels
 * swapped ([FH, FW, K, C]), padded FH−1−t on top and H + t − s·OH at the bottom.
 */
function inputGradient({ inputs, backend, attrs }: KernelArgs): Info {
  const { dy, filter } = inputs as { dy: Info; filter: Info };
  const inputShape = attrs.inputShape as Shape4;
  const {
    s: [s0, s1],
    top,
    left,
  } = forwardGeometry(inputShape, filter.shape as Shape4, attrs);
  const [n, h, w] = inputShape;
  const [fh, fw] = filter.shape as Shape4;
  const [, oh, ow, k] = dy.shape as Shape4;
  let d = dy;
  if (s0 > 1 || s1 > 1) {
    const six: Info = { dataId: dy.dataId, shape: [n, oh, 1, ow, 1, k], dtype: dy.dtype };
    const padded = wasmKernel('PadV2')({ x: six }, backend, {
      paddings: [[0, 0], [0, 0], [0, s0 - 1], [0, 0], [0, s1 - 1], [0, 0]],
      constantValue: 0,
    });
    d = { dataId: padded.dataId, shape: [n, oh * s0, ow * s1, k], dtype: padded.dtype };
  }
  const flipped = wasmKernel('Reverse')({ x: filter }, backend, { dims: [0, 1] });
  const swapped = wasmKernel('Transpose')({ x: flipped }, backend, { perm: [0, 1, 3, 2] });
  backend.disposeData(flipped.dataId);
  const out = conv2dExplicit(backend, d, swapped, [fh - 1 - top, h + top - oh * s0, fw - 1 - left, w + left - ow * s1], [1, 1]);
  backend.disposeData(swapped.dataId);
  if (d !== dy) backend.disposeData(d.dataId);
  return out;
}

/** The kernels `installWasmBestRoute` registers for 'wasm', by kernel name. */
export const BEST_ROUTE_KERNELS = { Conv2DBackpropFilter: filterGradient, Conv2DBackpropInput: inputGradient } as const;

/**
 * tfjs-backend-wasm 4.22's best route for training a CNN: its missing
 * `Conv2DBackpropFilter` registered as a `Conv2D` of transposed tensors on its
 * own XNNPACK kernels (`filterGradient`), and its naive `Conv2DBackpropInput`
 * (a direct loop, 30× slower than its Conv2D here) replaced by a `Conv2D` with
 * flipped, transposed filters (`inputGradient`). A few lines on the backend's
 * public kernels; tests check both against tfjs-backend-cpu's reference.
 * Needs the 'wasm' backend registered (importing @tensorflow/tfjs-backend-wasm).
 */
export function installWasmBestRoute(): void {
  if (installed) return;
  for (const [kernelName, kernelFunc] of Object.entries(BEST_ROUTE_KERNELS)) {
    if (tf.getKernel(kernelName, 'wasm')) tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc });
  }
  installed = true;
}
