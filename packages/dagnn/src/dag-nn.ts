/**
 * `DagNN` — a network as a directed acyclic graph of layers (MatConvNet's
 * `dagnn.DagNN`, api §3.1). Layers read and write named variables and use
 * named parameters; a parameter named by several layers is shared and its
 * derivatives are summed (api §3.5). `eval` runs the layers in topological
 * order and, given output derivatives, back-propagates in reverse.
 *
 * Structure edits (`addLayer`, `removeLayer`, renames) check the whole graph
 * before changing anything: duplicate names, a variable written twice, a
 * cycle, a wrong number of inputs/outputs/parameters, or a parameter shared
 * with different shapes throw a typed error naming the layer and variable,
 * and leave the network as it was. Variables and parameters no layer uses
 * are dropped (`rebuild`).
 */
import type { Field } from '@convnet-ts/geometry';
import { type Backend, OptionError, Rng, type Shape, type Tensor } from '@convnet-ts/tensor';
import { copyInto } from './copy.js';
import { checkParamShapes, initParams, moveParams, resetValues, setParamValue } from './dag-params.js';
import { evaluate } from './eval.js';
import { indexOf } from './indices.js';
import type { Layer, VarValue } from './layer.js';
import { checkLayerRecord, nameList } from './layer-record.js';
import { release } from './ownership.js';
import { type PrintOptions, printNet } from './print.js';
import { varReceptiveFields, varSizes } from './sizes.js';
import { type DagLayer, type DagParam, type DagVar, executionOrder, rebuildRecords } from './structure.js';

const names = (v: string | readonly string[]): string[] => (typeof v === 'string' ? [v] : [...v]);

/** The modes `mode` accepts: MatConvNet's `set.mode` (DagNN.m lines 123-130) maps `'train'` to `'normal'`, case-insensitively. */
export type DagNNMode = 'normal' | 'test' | 'train' | 'Normal' | 'Test' | 'Train';

export class DagNN {
  /** The backend of the parameters (and of the inputs `eval` takes). */
  backend: Backend;
  #mode: 'normal' | 'test' = 'normal';
  /** Clear variables as soon as they are no longer needed (except `precious` ones). Default true, as MatConvNet. */
  conserveMemory = true;
  /**
   * Sum parameter derivatives across evaluations (until `reset()`) instead of
   * replacing them (MatConvNet's `accumulateParamDers`, DagNN.m lines 24-27;
   * cnn_train_dag sets it for every sub-batch after the first).
   */
  accumulateParamDers = false;
  #bnormMomentsDer: 'timesN' | 'moments' = 'timesN';
  /** Seeded generator for dropout masks. */
  rng: Rng;
  /** Free-form description (classes, normalisation, …), saved with the model. */
  meta: Record<string, unknown> = {};
  readonly layers: DagLayer[] = [];
  readonly vars = new Map<string, DagVar>();
  readonly params = new Map<string, DagParam>();
  #order: DagLayer[] = [];

  constructor(backend: Backend, opts: { rng?: Rng } = {}) {
    this.backend = backend;
    this.rng = opts.rng ?? new Rng(0);
  }

  /**
   * `'normal'` (training behaviour of BatchNorm and DropOut) or `'test'`.
   * Set: `'normal'`, `'train'` (= normal) or `'test'`, in any case, as
   * MatConvNet; anything else throws (MatConvNet silently keeps the old mode).
   */
  get mode(): 'normal' | 'test' {
    return this.#mode;
  }

  set mode(mode: DagNNMode) {
    const m = typeof mode === 'string' ? mode.toLowerCase() : mode;
    if (m !== 'normal' && m !== 'train' && m !== 'test') {
      throw new OptionError('DagNN.mode', 'mode', `mode must be 'normal', 'train' or 'test', got ${JSON.stringify(mode)}`);
    }
    this.#mode = m === 'test' ? 'test' : 'normal';
  }

  /**
   * What a BatchNorm layer's backward pass (mode 'normal') returns as the
   * derivative of its moments parameter: `'timesN'` (default) the batch
   * moments times the number of images N, as MatConvNet 1.0-beta25's
   * BatchNorm (its cnn_train_dag divides by the batch size, so sub-batches
   * add up); `'moments'` the batch moments themselves, as later MatConvNet
   * (commit 23699180 "Normalise loss" dropped the ×N; its cnn_train_dag
   * divides by the number of sub-batches). A training loop ported from a
   * later MatConvNet sets 'moments'. Not saved with the network.
   */
  get bnormMomentsDer(): 'timesN' | 'moments' {
    return this.#bnormMomentsDer;
  }

  set bnormMomentsDer(v: 'timesN' | 'moments') {
    if (v !== 'timesN' && v !== 'moments') {
      throw new OptionError('DagNN.bnormMomentsDer', 'bnormMomentsDer', `bnormMomentsDer must be 'timesN' or 'moments', got ${JSON.stringify(v)}`);
    }
    this.#bnormMomentsDer = v;
  }

  /**
   * @deprecated convnet-ts's former name of `accumulateParamDers`, which it
   * reads and writes. MatConvNet's `holdOn` (an `eval` option, eval.m line 111)
   * is something else: it keeps the derivatives from a parameter server
   * (multi-GPU training) until the last sub-batch; convnet-ts has no
   * parameter server, so it has no such option.
   */
  get holdOn(): boolean {
    return this.accumulateParamDers;
  }

  set holdOn(v: boolean) {
    this.accumulateParamDers = v;
  }

  /** Adds a layer reading `inputs`, writing `outputs`, with parameters `params` (names; shared by name). */
  addLayer(name: string, block: Layer, inputs: string | readonly string[], outputs: string | readonly string[], params: string | readonly string[] = []): this {
    const where = 'DagNN.addLayer';
    if (typeof name !== 'string' || name === '') throw new OptionError(where, 'name', `name must be a non-empty string, got ${String(name)}`);
    if (this.layers.some((l) => l.name === name)) throw new OptionError(where, 'name', `name must be a new layer name, got '${name}', which is already a layer`);
    const layer: DagLayer = { name, block, inputs: nameList(inputs, where, 'inputs'), outputs: nameList(outputs, where, 'outputs'), params: nameList(params, where, 'params') };
    checkLayerRecord(layer, where);
    this.#commit([...this.layers, layer], where);
    return this;
  }

  /** Makes layer `name` read `inputs` (MatConvNet's setLayerInputs.m); the graph is checked first and left as it was on error. */
  setLayerInputs(name: string, inputs: string | readonly string[]): this {
    return this.#setLayer(name, 'inputs', inputs, 'DagNN.setLayerInputs');
  }

  /** Makes layer `name` write `outputs` (setLayerOutputs.m). */
  setLayerOutputs(name: string, outputs: string | readonly string[]): this {
    return this.#setLayer(name, 'outputs', outputs, 'DagNN.setLayerOutputs');
  }

  /** Makes layer `name` use parameters `params` (setLayerParams.m); new names take the layer's defaults. */
  setLayerParams(name: string, params: string | readonly string[]): this {
    return this.#setLayer(name, 'params', params, 'DagNN.setLayerParams');
  }

  #setLayer(name: string, what: 'inputs' | 'outputs' | 'params', list: string | readonly string[], where: string): this {
    const old = this.getLayer(name, where);
    const layer: DagLayer = { ...old, [what]: nameList(list, where, what) };
    checkLayerRecord(layer, where);
    this.#commit(
      this.layers.map((l) => (l === old ? layer : l)),
      where,
    );
    return this;
  }

  /** Removes layers by name. */
  removeLayer(name: string | readonly string[]): this {
    const gone = names(name);
    for (const n of gone) this.getLayer(n, 'DagNN.removeLayer');
    this.#commit(this.layers.filter((l) => !gone.includes(l.name)), 'DagNN.removeLayer');
    return this;
  }

  renameLayer(oldName: string, newName: string): this {
    const layer = this.getLayer(oldName, 'DagNN.renameLayer');
    if (this.layers.some((l) => l.name === newName)) throw new OptionError('DagNN.renameLayer', 'newName', `newName must be a new layer name, got '${newName}'`);
    layer.name = newName;
    return this;
  }

  /** Renames a variable; if `newName` exists, the two are merged (MatConvNet). */
  renameVar(oldName: string, newName: string): this {
    this.getVar(oldName, 'DagNN.renameVar');
    const swap = (l: DagLayer): DagLayer => ({
      ...l,
      inputs: l.inputs.map((v) => (v === oldName ? newName : v)),
      outputs: l.outputs.map((v) => (v === oldName ? newName : v)),
    });
    const old = this.vars.get(oldName)!;
    const layers = this.layers.map(swap);
    this.#commit(layers, 'DagNN.renameVar', () => {
      if (!this.vars.has(newName)) this.vars.set(newName, { ...old, name: newName });
    });
    return this;
  }

  renameParam(oldName: string, newName: string): this {
    const p = this.getParam(oldName, 'DagNN.renameParam');
    if (this.params.has(newName)) throw new OptionError('DagNN.renameParam', 'newName', `newName must be a new parameter name, got '${newName}'`);
    for (const l of this.layers) l.params = l.params.map((q) => (q === oldName ? newName : q));
    this.params.delete(oldName);
    this.params.set(newName, { ...p, name: newName });
    return this;
  }

  /** Recomputes fan-in/fan-out and the execution order; drops unused variables and parameters. */
  rebuild(): this {
    this.#commit([...this.layers], 'DagNN.rebuild');
    return this;
  }

  #commit(layers: DagLayer[], where: string, before?: () => void): void {
    const order = executionOrder(layers, where);
    checkParamShapes(layers, this.params, where);
    before?.();
    this.layers.splice(0, this.layers.length, ...layers);
    this.#order = order;
    const { vars, params } = rebuildRecords(layers, this.vars, this.params);
    // Dropped variables and parameters release what the network made for them.
    for (const [k, v] of this.vars) if (!vars.has(k)) [v.value, v.der].forEach(release);
    for (const [k, p] of this.params) if (!params.has(k)) [p.value, p.der].forEach(release);
    this.vars.clear();
    for (const [k, v] of vars) this.vars.set(k, v);
    this.params.clear();
    for (const [k, p] of params) this.params.set(k, p);
  }

  getLayer(name: string, where = 'DagNN.getLayer'): DagLayer {
    const l = this.layers.find((x) => x.name === name);
    if (!l) throw new OptionError(where, 'name', `name must be a layer of the network, got '${name}'`);
    return l;
  }

  getVar(name: string, where = 'DagNN.getVar'): DagVar {
    const v = this.vars.get(name);
    if (!v) throw new OptionError(where, 'name', `name must be a variable of the network, got '${name}'`);
    return v;
  }

  getParam(name: string, where = 'DagNN.getParam'): DagParam {
    const p = this.params.get(name);
    if (!p) throw new OptionError(where, 'name', `name must be a parameter of the network, got '${name}'`);
    return p;
  }

  /** 0-based index of a layer in `layers` (or of each of a list), -1 when absent (MatConvNet: 1-based, NaN); see indices.ts. */
  getLayerIndex(name: string): number;
  getLayerIndex(name: readonly string[]): number[];
  getLayerIndex(name: string | readonly string[]): number | number[] {
    return indexOf(this.layers.map((l) => l.name), name, 'DagNN.getLayerIndex');
  }

  /** 0-based position of a variable in `vars` (or of each of a list), -1 when absent. */
  getVarIndex(name: string): number;
  getVarIndex(name: readonly string[]): number[];
  getVarIndex(name: string | readonly string[]): number | number[] {
    return indexOf([...this.vars.keys()], name, 'DagNN.getVarIndex');
  }

  /** 0-based position of a parameter in `params` (or of each of a list), -1 when absent. */
  getParamIndex(name: string): number;
  getParamIndex(name: readonly string[]): number[];
  getParamIndex(name: string | readonly string[]): number | number[] {
    return indexOf([...this.params.keys()], name, 'DagNN.getParamIndex');
  }

  /** A deep copy: layers, parameter values and settings, `meta`; no variable values (copy.ts; MatConvNet's `copy`). */
  copy(opts: { rng?: Rng } = {}): DagNN {
    return copyInto(this, new DagNN(this.backend, { rng: opts.rng ?? new Rng(0) }));
  }

  /** The layers in execution (topological) order. */
  getLayerExecutionOrder(): readonly DagLayer[] {
    return this.#order;
  }

  /** Variables no layer writes (the network's inputs). */
  getInputs(): string[] {
    return [...this.vars.values()].filter((v) => v.fanin === 0).map((v) => v.name);
  }

  /** Variables no layer reads (the network's outputs). */
  getOutputs(): string[] {
    return [...this.vars.values()].filter((v) => v.fanout === 0).map((v) => v.name);
  }

  /** Sets a parameter's value (checked against the shape its layers declare). */
  setParam(name: string, value: Tensor): this {
    setParamValue(this, this.getParam(name, 'DagNN.setParam'), value, 'DagNN.setParam');
    return this;
  }

  /**
   * Forward pass on `inputs` (values of input variables: tensors, or numbers
   * for labels), then, if `derOutputs` is given (derivative of each chosen
   * output: a number, filled to the output's shape, or a tensor), the backward pass.
   */
  eval(inputs: Readonly<Record<string, VarValue>>, derOutputs?: Readonly<Record<string, number | Tensor>>): void {
    evaluate(this, inputs, derOutputs);
  }

  /** Clears every variable's value and derivative, the parameters' derivatives and the layers' state. */
  reset(): void {
    resetValues(this);
  }

  /** Moves the parameters to `backend` (reading them back, so asynchronous), after `reset()`. */
  async move(backend: Backend): Promise<void> {
    await moveParams(this, backend);
  }

  /** Gives every parameter its layer's initial value (MatConvNet's initialisations). */
  initParams(rng: Rng = new Rng(0)): this {
    initParams(this, rng);
    return this;
  }

  /** Shapes `[N, H, W, C]` of every variable whose size follows from `inputSizes` (MatConvNet's getVarSizes). */
  getVarSizes(inputSizes: Readonly<Record<string, Shape>>): Map<string, Shape> {
    return varSizes(this, inputSizes);
  }

  /** The receptive field on `varName` of every variable that depends on it (manual §5; api §4). */
  getVarReceptiveFields(varName: string): Map<string, Field> {
    return varReceptiveFields(this, varName);
  }

  /** Tables of layers, parameters, variables, memory and receptive fields, or a Graphviz graph (print.ts; MatConvNet's print.m). */
  print(opts: PrintOptions = {}): string {
    return printNet(this, opts);
  }
}
