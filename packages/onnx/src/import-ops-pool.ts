/**
 * ONNX MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool → DagNN
 * `Pooling` (block `pool`: windows clipped to the image, manual §4.3), or an
 * exact equivalent:
 *
 * - MaxPool pads with −∞ and AveragePool with count_include_pad = 0 divides
 *   by the pixels inside the image: both are MatConvNet's clipped windows.
 * - ceil_mode = 1: ONNX's output size ⌈(H + pads − K)/S⌉ + 1, less one when
 *   the last window would start in the end padding (PyTorch's rule, which
 *   ONNX Runtime follows), is reached by extra end padding, which clipped
 *   windows ignore as ceil_mode does.
 * - AveragePool with count_include_pad = 1 and pads divides by K_h·K_w
 *   everywhere: that is a depthwise convolution with weights 1/(K_h·K_w),
 *   zero padding and no bias, imported as a `Conv` with learning rate 0.
 * - Global pools: a window of the whole map.
 * Dilations ≠ 1, the Indices output of MaxPool, and count_include_pad = 1 with
 * ceil_mode's extra padding have no exact equivalent and are refused.
 */
import { Conv, Pooling } from '@convnet-ts/dagnn';
import { fail, type Planner } from './import-plan.js';
import { dilations, kernelShape, outputSize, type Pad4, type Pair, pads, strides } from './import-window.js';
import { readInt } from './proto/attribute.js';
import type { NodeProto } from './proto/onnx-pb.js';

function mapInput(p: Planner, node: NodeProto) {
  const x = p.varInput(node, 0);
  if (x.kind !== 'map') fail('unsupported', node, `input 0 must be a 4-D feature map [N, C, H, W], got features [N, ${x.c * x.h * x.w}]`);
  return x;
}

export function importPool(p: Planner, node: NodeProto): void {
  const x = mapInput(p, node);
  const method = node.opType === 'MaxPool' ? 'max' : 'avg';
  if (node.output.length > 1 && node.output[1] !== '') fail('unsupported', node, 'the Indices output (argmax positions) has no convnet-ts equivalent; only output 0 can be imported');
  const kernel = kernelShape(node);
  const stride = strides(node);
  if (node.opType === 'MaxPool' || p.opset >= 19) {
    const d = dilations(node);
    if (d[0] !== 1 || d[1] !== 1) fail('unsupported', node, `dilations [${d.join(', ')}]: convnet-ts's pooling has no dilation`);
  }
  const pad = pads(node, [x.h, x.w], kernel, stride);
  const ceil = readInt(node, 'ceil_mode', 0) === 1;
  const size: Pair = [x.h, x.w];
  let out = outputSize(node, size, kernel, pad, stride);
  const total: Pad4 = [...pad];
  if (ceil) {
    out = [0, 1].map((a) => {
      const lo = a === 0 ? pad[0] : pad[2];
      const span = size[a]! + lo + (a === 0 ? pad[1] : pad[3]) - kernel[a]!;
      let n = Math.ceil(span / stride[a]!) + 1;
      if ((n - 1) * stride[a]! >= size[a]! + lo) n--;
      return n;
    }) as Pair;
    total[1] += Math.max(0, (out[0] - 1) * stride[0] + kernel[0] - (x.h + pad[0] + pad[1]));
    total[3] += Math.max(0, (out[1] - 1) * stride[1] + kernel[1] - (x.w + pad[2] + pad[3]));
  }
  if (total.some((v, i) => v >= kernel[i < 2 ? 0 : 1])) {
    fail('unsupported', node, `pads [${total.join(', ')}] (top, bottom, left, right${ceil ? ', with ceil_mode' : ''}) must be smaller than the kernel [${kernel.join(', ')}]: a window wholly in the padding has no convnet-ts equivalent`);
  }
  const includePad = method === 'avg' && readInt(node, 'count_include_pad', 0) === 1 && pad.some((v) => v > 0);
  if (includePad) {
    if (total.some((v, i) => v !== pad[i])) fail('unsupported', node, 'count_include_pad = 1 with ceil_mode extending the windows past the pads: the divisor has no exact convnet-ts equivalent');
    const weight = new Float32Array(kernel[0] * kernel[1] * x.c).fill(1 / (kernel[0] * kernel[1]));
    const f = p.addParam(`${node.name || node.output[0]}_average`, [kernel[0], kernel[1], 1, x.c], weight, 0);
    const v = p.addLayer(node, new Conv({ size: [kernel[0], kernel[1], 1, x.c], pad, stride, hasBias: false }), [x.var], [f]);
    p.setOutput(node, 0, { ...x, var: v, h: out[0], w: out[1] });
    return;
  }
  const v = p.addLayer(node, new Pooling({ poolSize: kernel, method, pad: total, stride }), [x.var], []);
  p.setOutput(node, 0, { ...x, var: v, h: out[0], w: out[1] });
}

export function importGlobalPool(p: Planner, node: NodeProto): void {
  const x = mapInput(p, node);
  const method = node.opType === 'GlobalMaxPool' ? 'max' : 'avg';
  const v = p.addLayer(node, new Pooling({ poolSize: [x.h, x.w], method }), [x.var], []);
  p.setOutput(node, 0, { ...x, var: v, h: 1, w: 1 });
}
