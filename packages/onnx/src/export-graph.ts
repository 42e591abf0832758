/**
 * What the exporter accumulates while it walks a network: nodes, initializers
 * (deduplicated per parameter and layout, so shared parameters stay shared),
 * and unique tensor names across the whole graph (ONNX requires every value
 * name to be assigned once).
 */
import type { Shape } from '@convnet-ts/tensor';
import { OnnxError } from './errors.js';
import { makeNode } from './proto/attribute.js';
import type { AttributeProto, NodeProto, TensorProto } from './proto/onnx-pb.js';
import { makeFloatTensor, makeInt64Tensor } from './proto/tensor.js';

export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  /**
   * The layer options ONNX's float32 attributes cannot hold exactly, by node
   * name (metadata `convnet-ts.options`): the importer takes them back where
   * they agree with the attributes, so a round trip keeps the doubles.
   */
  readonly exact: Record<string, Record<string, unknown>> = {};
  readonly #names = new Set<string>();
  readonly #cache = new Map<string, string>();

  /** Claims `name` (a variable's); throws if it is taken. */
  reserve(name: string): string {
    if (this.#names.has(name)) throw new OnnxError('value', 'exportOnnx', name, `the name '${name}' is used twice in the exported graph`);
    this.#names.add(name);
    return name;
  }

  /** `base`, or `base_1`, `base_2`, … : the first name not taken, claimed. */
  fresh(base: string): string {
    let name = base;
    for (let i = 1; this.#names.has(name); i++) name = `${base}_${i}`;
    this.#names.add(name);
    return name;
  }

  node(opType: string, inputs: readonly string[], outputs: readonly string[], name: string, attrs: readonly AttributeProto[] = []): void {
    this.nodes.push(makeNode(opType, inputs, outputs, name, attrs));
  }

  /**
   * A FLOAT initializer named after `base`; `key` identifies the value
   * (parameter and layout) so that a second request returns the same name.
   */
  floatInit(key: string, base: string, dims: Shape, values: () => ArrayLike<number>): string {
    const known = this.#cache.get(key);
    if (known !== undefined) return known;
    const name = this.fresh(base);
    this.initializers.push(makeFloatTensor(name, dims, values()));
    this.#cache.set(key, name);
    return name;
  }

  int64Init(base: string, values: readonly number[]): string {
    const name = this.fresh(base);
    this.initializers.push(makeInt64Tensor(name, [values.length], values));
    return name;
  }
}
