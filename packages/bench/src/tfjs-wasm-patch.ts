import * as tf from '@tensorflow/tfjs-core';

let patched = false;

/**
 * tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter kernel, so `tf.grad` of
 * a convolution throws and the backend cannot train a CNN. It does have the
 * 3-D filter gradient, Conv3DBackpropFilterV2: a 2-D filter gradient is the
 * 3-D one at depth 1. This registers Conv2DBackpropFilter for 'wasm' as that
 * call on the same buffers viewed as 5-D (no copies), so the benchmark can
 * time tfjs-wasm's best route for W2's dzdf and W3's SGD step.
 */
export function patchWasmFilterGradient(): void {
  if (patched) return;
  const conv3d = tf.getKernel('Conv3DBackpropFilterV2', 'wasm');
  if (!conv3d) throw new Error('tfjs-backend-wasm has no Conv3DBackpropFilterV2 kernel either');
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
      const { pad, filterShape, ...rest } = attrs as unknown as {
        strides: number | [number, number];
        pad: 'same' | 'valid';
        filterShape: [number, number, number, number];
      };
      // tf.conv2d's gradient passes the strides as given to conv2d: a number or a pair.
      const strides: [number, number] = typeof rest.strides === 'number' ? [rest.strides, rest.strides] : rest.strides;
      const as5d = (t: tf.TensorInfo): tf.TensorInfo => {
        const [n, h, w, c] = t.shape as [number, number, number, number];
        return { dataId: t.dataId, shape: [n, 1, h, w, c], dtype: t.dtype };
      };
      const out = conv3d.kernelFunc({
        inputs: { x: as5d(x), dy: as5d(dy) },
        backend,
        attrs: { strides: [1, strides[0], strides[1]], pad, filterShape: [1, ...filterShape] },
      }) as tf.TensorInfo;
      return { dataId: out.dataId, shape: filterShape, dtype: out.dtype };
    },
  });
  patched = true;
}
