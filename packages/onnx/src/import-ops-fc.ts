/**
 * Fully connected layers and the reshapes around them.
 *
 * - Gemm (Y = α·A·B′ + β·C, B′ = Bᵀ when transB) and MatMul (A·B) on features
 *   `[N, F]` → a DagNN `Conv` whose filter covers the whole feature map
 *   (MatConvNet's FC-as-convolution): filters `[H, W, C, K]` with
 *   F[h, w, c, k] = α·B′[c·H·W + h·W + w, k] — ONNX's Flatten of NCHW orders
 *   features C, H, W while the NHWC map orders them H, W, C, so the weights
 *   are permuted once and the result is exact; biases β·C.
 * - Flatten (axis 1), and Reshape to `[N, C·H·W]` (0 and −1 resolved as ONNX
 *   does) keep the map as it is: only the next fully connected layer sees
 *   the flattening. Reshape `[N, F]` → `[N, F, 1, 1]`, Squeeze/Unsqueeze of
 *   the two unit spatial axes, and a Reshape to the same shape change nothing.
 * Any other reshape would reorder data between layers and is refused.
 */
import { Conv } from '@convnet-ts/dagnn';
import { type ConstValue, fail, onnxShape, type Planner, type VarValue } from './import-plan.js';
import { readFloat, readInt, readInts } from './proto/attribute.js';
import type { NodeProto } from './proto/onnx-pb.js';

function featureInput(p: Planner, node: NodeProto): VarValue {
  const x = p.varInput(node, 0);
  if (x.kind !== 'flat') fail('unsupported', node, `input 0 must be 2-D features [N, F] (Flatten a feature map first), got a feature map [N, ${x.c}, ${x.h}, ${x.w}]`);
  return x;
}

function fullyConnected(p: Planner, node: NodeProto, x: VarValue, b: ConstValue, transB: boolean, alpha: number, bias: ConstValue | undefined, beta: number): void {
  const f = x.c * x.h * x.w;
  if (b.dims.length !== 2) fail('unsupported', node, `input 1 (the weights) must be 2-D, got dims [${b.dims.join(', ')}]`);
  const [rows, cols] = b.dims as [number, number];
  const k = transB ? rows : cols;
  if ((transB ? cols : rows) !== f) {
    fail('shape', node, `the weights [${b.dims.join(', ')}]${transB ? ' (transB)' : ''} need ${transB ? cols : rows} input features, got ${f} (${x.c}×${x.h}×${x.w})`);
  }
  const filters = new Float32Array(f * k);
  let o = 0;
  for (let h = 0; h < x.h; h++)
    for (let w = 0; w < x.w; w++)
      for (let c = 0; c < x.c; c++) {
        const feature = c * x.h * x.w + h * x.w + w;
        for (let j = 0; j < k; j++) filters[o++] = alpha * b.data[transB ? j * f + feature : feature * k + j]!;
      }
  const size = [x.h, x.w, x.c, k];
  const params = [p.addParam(b.initializer ?? `${node.name || node.output[0]}_weights`, size, filters, b.fixed ? 0 : 1)];
  if (bias) {
    const n = bias.data.length;
    const ok = n === k ? bias.dims.length === 1 || (bias.dims.length === 2 && bias.dims[0] === 1) : n === 1;
    if (!ok) fail('unsupported', node, `input 2 (C) must be [${k}], [1, ${k}] or one value, got dims [${bias.dims.join(', ')}]`);
    const values = Float32Array.from({ length: k }, (_, j) => beta * bias.data[n === 1 ? 0 : j]!);
    params.push(p.addParam(bias.initializer ?? `${node.name || node.output[0]}_bias`, [k], values, bias.fixed ? 0 : 1));
  }
  const out = p.addLayer(node, new Conv({ size, hasBias: bias !== undefined }), [x.var], params);
  p.setOutput(node, 0, { kind: 'flat', var: out, n: x.n, c: k, h: 1, w: 1 });
}

export function importGemm(p: Planner, node: NodeProto): void {
  const x = featureInput(p, node);
  if (readInt(node, 'transA', 0) !== 0) fail('unsupported', node, 'transA = 1: the features must be the first factor [N, F] (export without transposing the input)');
  const b = p.constInput(node, 1, 'the weights');
  const c = p.hasInput(node, 2) ? p.constInput(node, 2, 'the biases') : undefined;
  fullyConnected(p, node, x, b, readInt(node, 'transB', 0) === 1, readFloat(node, 'alpha', 1), c, readFloat(node, 'beta', 1));
}

export function importMatMul(p: Planner, node: NodeProto): void {
  fullyConnected(p, node, featureInput(p, node), p.constInput(node, 1, 'the weights'), false, 1, undefined, 1);
}

export function importFlatten(p: Planner, node: NodeProto): void {
  const x = p.varInput(node, 0);
  const axis = readInt(node, 'axis', 1);
  if (axis !== 1 && !(x.kind === 'map' && axis === -3) && !(x.kind === 'flat' && axis === -1)) {
    fail('unsupported', node, `axis ${axis}: only Flatten(axis = 1) — [N, C, H, W] → [N, C·H·W], a fully connected layer's input — can be imported`);
  }
  p.setOutput(node, 0, { ...x, kind: 'flat' });
}

/** ONNX's target shape with 0 (copy) and −1 (infer) resolved, the batch left as given. */
function targetShape(node: NodeProto, x: VarValue, raw: number[], allowZero: boolean): number[] {
  const src = onnxShape(x);
  const dims = raw.map((d, i) => (d === 0 && !allowZero ? (i === 0 ? -2 : Number(src[i] ?? Number.NaN)) : d));
  const per = x.c * x.h * x.w;
  const unknown = dims.filter((d) => d === -1).length;
  if (unknown > 1 || dims.some((d, i) => d < -2 || Number.isNaN(d) || (d === -2 && i !== 0))) fail('format', node, `the shape [${raw.join(', ')}] is not a valid Reshape target for ${JSON.stringify(src)}`);
  // Sizes after the batch; a −1 or the batch itself (0 → −2) at position 0 stands for the batch.
  const rest = dims.slice(1);
  if (rest.includes(-1)) {
    const known = rest.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
    if (known === 0 || per % known !== 0) fail('shape', node, `the shape [${raw.join(', ')}] does not divide the ${per} values per image of ${JSON.stringify(src)}`);
    return [dims[0]!, ...rest.map((d) => (d === -1 ? per / known : d))];
  }
  return dims;
}

export function importReshape(p: Planner, node: NodeProto): void {
  const x = p.varInput(node, 0);
  const raw = p.constInput(node, 1, 'the target shape').data;
  const dims = targetShape(node, x, raw, readInt(node, 'allowzero', 0) === 1);
  const per = x.c * x.h * x.w;
  const batchOk = dims[0] === -2 || dims[0] === -1 || typeof x.n !== 'number' || dims[0] === x.n;
  const rest = dims.slice(1);
  const size = rest.reduce((a, b) => a * b, 1);
  if (!batchOk || size !== per) {
    fail('shape', node, `the shape [${raw.join(', ')}] must keep the batch and the ${per} values per image of ${JSON.stringify(onnxShape(x))}`);
  }
  if (rest.length === 1) {
    p.setOutput(node, 0, { ...x, kind: 'flat' });
    return;
  }
  if (rest.length === 3 && x.kind === 'map' && rest[0] === x.c && rest[1] === x.h && rest[2] === x.w) {
    p.setOutput(node, 0, x);
    return;
  }
  if (rest.length === 3 && x.h === 1 && x.w === 1 && rest[1] === 1 && rest[2] === 1) {
    p.setOutput(node, 0, { ...x, kind: 'map' });
    return;
  }
  fail('unsupported', node, `Reshape ${JSON.stringify(onnxShape(x))} → [${raw.join(', ')}] reorders data between layers; only reshapes that mean a fully connected layer's flatten ([N, C·H·W]) can be imported`);
}

/** Squeeze of axes 2, 3 of `[N, C, 1, 1]`, Unsqueeze of axes 2, 3 of `[N, C]`. */
export function importSqueeze(p: Planner, node: NodeProto): void {
  const x = p.varInput(node, 0);
  const axes = p.opset >= 13 ? (p.hasInput(node, 1) ? p.constInput(node, 1, 'the axes').data : undefined) : readInts(node, 'axes', []);
  const rank = node.opType === 'Squeeze' ? 4 : 2;
  const norm = (axes ?? [2, 3]).map((a) => (a < 0 ? a + (node.opType === 'Squeeze' ? rank : rank + 2) : a)).sort();
  const ok = x.h === 1 && x.w === 1 && norm.length === 2 && norm[0] === 2 && norm[1] === 3 && (node.opType === 'Squeeze' ? x.kind === 'map' : x.kind === 'flat');
  if (!ok) fail('unsupported', node, `${node.opType} of axes [${(axes ?? []).join(', ')}] on ${JSON.stringify(onnxShape(x))}: only [N, C, 1, 1] ↔ [N, C] can be imported`);
  p.setOutput(node, 0, { ...x, kind: node.opType === 'Squeeze' ? 'flat' : 'map' });
}
