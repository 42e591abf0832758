/**
 * The boundary Transposes of an NHWC model — what `exportOnnx` writes by
 * default (`layout: 'nhwc'`): each graph input `[N, H, W, C]` is read by
 * Transpose(perm [0, 3, 1, 2]) and each graph output `[N, H, W, C]` written
 * by Transpose(perm [0, 2, 3, 1]) of an NCHW value.
 *
 * convnet-ts is NHWC throughout, so such a Transpose is no layer: the graph
 * input is the DagNN input as it is, and the graph output is the variable of
 * the Transpose's input, which takes the output's name (a round trip keeps
 * the network's variable names). The ports are recorded as `nhwc` in
 * `net.meta.onnx`. Recognised only where nothing else reads either side:
 * an input read by anything but such Transposes is an NCHW input (and its
 * Transposes ordinary ones), a Transpose whose output is not a graph output
 * is no boundary, and a node reading an NHWC graph output is refused. Every
 * other Transpose of a feature map is refused (convnet-ts has no layer that
 * permutes axes).
 */
import { fail, type Planner } from './import-plan.js';
import { readInts } from './proto/attribute.js';
import type { GraphProto, NodeProto } from './proto/onnx-pb.js';

/** NHWC → NCHW after a graph input. */
const TO_NCHW = [0, 3, 1, 2];
/** NCHW → NHWC before a graph output. */
const TO_NHWC = [0, 2, 3, 1];

const isPerm = (node: NodeProto, perm: readonly number[]) =>
  node.opType === 'Transpose' && node.input.length === 1 && node.attribute.length === 1 && readInts(node, 'perm', []).join() === perm.join();

export interface Boundary {
  /** Graph inputs declared `[N, H, W, C]` (read by boundary Transposes only). */
  nhwcInputs: Set<string>;
  /** ONNX value → DagNN variable: the input of an output's boundary Transpose → the graph output's name. */
  varNames: Map<string, string>;
}

/** Finds the boundary Transposes of `graph` (`inputs`: its graph inputs that are not initializers). */
export function findBoundary(graph: GraphProto, inputs: readonly string[]): Boundary {
  const readers = new Map<string, NodeProto[]>();
  const producer = new Map<string, NodeProto>();
  for (const node of graph.node) {
    for (const name of node.input) if (name !== '') readers.set(name, [...(readers.get(name) ?? []), node]);
    for (const name of node.output) if (name !== '') producer.set(name, node);
  }
  const outputs = new Set(graph.output.map((o) => o.name));
  const nhwcInputs = new Set<string>();
  for (const name of inputs) {
    const r = readers.get(name) ?? [];
    if (r.length > 0 && !outputs.has(name) && r.every((n) => isPerm(n, TO_NCHW))) nhwcInputs.add(name);
  }
  const varNames = new Map<string, string>();
  const sources = new Set([...inputs, ...graph.initializer.map((t) => t.name)]);
  for (const o of graph.output) {
    const t = producer.get(o.name);
    if (!t || !isPerm(t, TO_NHWC) || readers.has(o.name)) continue;
    const x = t.input[0]!;
    // The variable keeps its name when it is a graph input or output itself, or already renamed.
    if (sources.has(x) || outputs.has(x) || varNames.has(x) || !producer.has(x)) continue;
    varNames.set(x, o.name);
  }
  return { nhwcInputs, varNames };
}

/** A Transpose of a feature map: a boundary one (see the file's doc comment), else refused. */
export function importTranspose(p: Planner, node: NodeProto): void {
  const x = p.varInput(node, 0);
  const perm = readInts(node, 'perm', []);
  const after = p.nhwcInputs.has(node.input[0]!);
  if (after && isPerm(node, TO_NCHW)) {
    p.setOutput(node, 0, x);
    return;
  }
  const output = node.output[0];
  if (!after && x.kind === 'map' && isPerm(node, TO_NHWC) && output !== undefined && p.graphOutputs.has(output)) {
    p.setOutput(node, 0, x);
    p.nhwcOutputs.add(output);
    return;
  }
  fail(
    'unsupported',
    node,
    `Transpose (perm [${perm.join(', ')}]) of a feature map: importOnnx takes a Transpose only at the graph's boundary — perm [0, 3, 1, 2] directly after a graph input [N, H, W, C] that nothing else reads, or perm [0, 2, 3, 1] writing a graph output that no node reads (the NHWC layout exportOnnx writes); convnet-ts keeps feature maps NHWC and has no layer that permutes axes`,
  );
}
