/**
 * The layer contract of a `DagNN` (MatConvNet's `dagnn.Layer`, api §3.2),
 * and how to write your own layer.
 *
 * A layer is a block with its options: it maps input values and parameter
 * values to output tensors (`forward`), projects output derivatives back onto
 * its inputs and parameters (`backward`), and describes itself for the
 * network's geometry (`geometry`, `getOutputSizes`), initialisation
 * (`initParams`, `paramShapes`) and model files (`type`, `options`).
 *
 * To write a custom layer, extend `Layer` and implement the abstract members:
 *
 * ```ts
 * class Square extends Layer {
 *   readonly type = 'Square';
 *   forward([x]: readonly VarValue[]) { const t = asTensor(this, x, 0); return [t.backend.run('Unary', { x: t }, { op: 'square', alpha: 1 })]; }
 *   backward([x]: readonly VarValue[], _p: readonly Tensor[], [dy]: readonly Tensor[]) { … return { derInputs: [dx], derParams: [] }; }
 *   options() { return {}; }
 * }
 * ```
 *
 * Defaults: one input and one output, no parameters, an element-wise
 * (identity) receptive field, output size = first input's size. To load a
 * saved network holding custom layers, pass their factories to `loadDagNN`
 * (`{ layers: { Square: () => new Square() } }`): files never run code.
 */
import { type LayerGeometry, layerOutputSize } from '@convnet-ts/geometry';
import type { Backend, Rng, Shape, Tensor } from '@convnet-ts/tensor';
import { isTensor, ShapeError } from '@convnet-ts/tensor';

/** A variable's value: a tensor, or plain numbers (labels, ROIs) that some layers accept. */
export type VarValue = Tensor | ArrayLike<number> | readonly (readonly number[])[];

/** What a layer sees of the network while it runs. */
export interface LayerContext {
  /** `'normal'` (training: batch statistics, dropout) or `'test'`. */
  readonly mode: 'normal' | 'test';
  /** The network's seeded generator (dropout masks). */
  readonly rng: Rng;
  /** BatchNorm's moments "derivative": 'timesN' (default, MatConvNet 1.0-beta25) or 'moments' (later MatConvNet); see `DagNN.bnormMomentsDer`. */
  readonly bnormMomentsDer?: 'timesN' | 'moments';
}

/** What `backward` returns: one derivative per input and per parameter (null = none). */
export interface LayerDerivatives {
  derInputs: (Tensor | null)[];
  derParams: (Tensor | null)[];
}

/** How a parameter is trained (api §3.5): its factors on the trainer's rates. */
export interface ParamDefaults {
  trainMethod: 'gradient' | 'average';
  learningRate: number;
  weightDecay: number;
}

/** The base class of every DagNN layer; see the file's doc comment. */
export abstract class Layer {
  /** The class name written to model files ('Conv', 'ReLU', …). */
  abstract readonly type: string;
  /** How many inputs the layer accepts, `[min, max]`. */
  readonly numInputs: readonly [number, number] = [1, 1];
  /** How many outputs it writes. */
  readonly numOutputs: number = 1;

  abstract forward(inputs: readonly VarValue[], params: readonly Tensor[], ctx: LayerContext): Tensor[];
  abstract backward(
    inputs: readonly VarValue[],
    params: readonly Tensor[],
    derOutputs: readonly Tensor[],
    ctx: LayerContext,
  ): LayerDerivatives;
  /** The options that rebuild this layer (`new Class(options)`); plain JSON. */
  abstract options(): Record<string, unknown>;

  /** The roles of the parameters, in order (`['filters', 'biases']`). */
  paramNames(): readonly string[] {
    return [];
  }

  /** The shape each parameter must have, where the options fix it. */
  paramShapes(): readonly (Shape | undefined)[] {
    return this.paramNames().map(() => undefined);
  }

  /** Training defaults of each parameter (BatchNorm's moments are averaged). */
  paramDefaults(): readonly ParamDefaults[] {
    return this.paramNames().map(() => ({ trainMethod: 'gradient', learningRate: 1, weightDecay: 1 }));
  }

  /** Initial parameter values (MatConvNet's `initParams`); one per parameter. */
  initParams(_rng: Rng, _backend: Backend): Tensor[] {
    return [];
  }

  /** The receptive-field geometry, one for all inputs or one per input (null: no spatial dependency). */
  geometry(): LayerGeometry | readonly (LayerGeometry | null)[] {
    return { kind: 'identity' };
  }

  /**
   * Output shapes `[N, H, W, C]` for input shapes (`undefined` = unknown).
   * Default: the geometry applied to the first input with one.
   */
  getOutputSizes(inputSizes: readonly (Shape | undefined)[]): (Shape | undefined)[] {
    const g = this.geometry();
    const gs = Array.isArray(g) ? (g as readonly (LayerGeometry | null)[]) : inputSizes.map(() => g as LayerGeometry);
    const i = gs.findIndex((x) => x !== null);
    const geometry = gs[i];
    const input = inputSizes[i];
    if (!geometry || !input || input.length !== 4) return Array.from({ length: this.numOutputs }, () => undefined);
    const out = layerOutputSize(geometry, { size: [input[1]!, input[2]!], channels: input[3]! });
    const shape = out === undefined ? undefined : [input[0]!, out.size[0], out.size[1], out.channels ?? input[3]!];
    return Array.from({ length: this.numOutputs }, () => shape);
  }

  /** Clears transient state (dropout masks, stored moments). */
  reset(): void {}
}

/** Input `i` of `layer` as a tensor (throws naming the layer's class otherwise). */
export function asTensor(layer: Layer, value: VarValue | undefined, i: number): Tensor {
  if (!isTensor(value, layer.type, `inputs[${i}]`)) {
    throw new ShapeError(layer.type, `inputs[${i}]`, `inputs[${i}] must be a Tensor, got ${value === undefined ? 'nothing' : 'an array'}`);
  }
  return value;
}

/** Parameter `i` (always present: the network checks parameters before calling a layer). */
export function param(params: readonly Tensor[], i: number): Tensor {
  return params[i]!;
}
