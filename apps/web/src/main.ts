/**
 * The page: the Train view (train-panel.ts, the worker), Draw and classify
 * (draw-pad.ts → `preprocess` with the model's `meta.normalization` →
 * `predict`), Look inside (inside.ts), Load a model (current-model.ts) and
 * Train on your images (images-panel.ts, its own model).
 * The model in use is kept in IndexedDB (model-store.ts) so it survives a
 * reload. `window.convnetWeb` exposes the page's state to tests.
 */
import { isReceptiveField } from '@convnet-ts/geometry';
import { isDagNN, predict, preprocess } from '@convnet-ts/predict';
import type { SimpleNN } from '@convnet-ts/simplenn';
import type { Tensor } from '@convnet-ts/tensor';
import { renderBars } from './bars.js';
import { type CurrentModel, disposeModel, pageBackend, readModel } from './current-model.js';
import { downloadButtons } from './downloads.js';
import { drawPad } from './draw-pad.js';
import { dropTarget } from './drop-target.js';
import { bodyOf, type LayerOutput, layerFields, layerOutputs, placeOverlay, renderFilters, renderInput, renderMaps, renderSummary, unitWindow } from './inside.js';
import { loadStoredModel, restoredLabel, saveStoredModel } from './model-store.js';
import { imagesPanel } from './images-panel.js';
import { trainPanel } from './train-panel.js';

const byId = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`page: element #${id} expected, got none`);
  return el as T;
};

const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

interface PageState {
  model: CurrentModel | null;
  /** The last classification: probabilities and the best class name. */
  probabilities: number[] | null;
  best: string | null;
  classifications: number;
  /** Models read so far (trained, loaded or restored). */
  modelsLoaded: number;
  /** The label of the model last written to IndexedDB (what a reload restores). */
  stored: string | null;
  outputs: LayerOutput[] | null;
  input: { data: Float32Array; shape: readonly number[] } | null;
  layer: number;
  row: number;
  col: number;
  errors: string[];
}

const state: PageState = { model: null, probabilities: null, best: null, classifications: 0, modelsLoaded: 0, stored: null, outputs: null, input: null, layer: 0, row: 1, col: 1, errors: [] };

const bars = byId<HTMLDivElement>('bars');
const drawStatus = byId<HTMLParagraphElement>('draw-status');
const modelStatus = byId<HTMLSpanElement>('model-status');
const loadStatus = byId<HTMLParagraphElement>('load-status');
const layerSelect = byId<HTMLSelectElement>('layer-select');
const unitRow = byId<HTMLInputElement>('unit-row');
const unitCol = byId<HTMLInputElement>('unit-col');
const inputCanvas = byId<HTMLCanvasElement>('input-view');
const overlay = byId<HTMLDivElement>('rf-overlay');
const rfText = byId<HTMLParagraphElement>('rf-text');

const classNames = (model: CurrentModel | null): string[] => {
  const names = (model?.net.meta as { classes?: { name?: unknown } } | undefined)?.classes?.name;
  return Array.isArray(names) ? names.map(String) : DIGITS;
};

const simple = (): SimpleNN | null => (state.model && !isDagNN(state.model.net) ? state.model.net : null);

function showUnit(): void {
  const net = simple();
  const out = state.outputs?.find((o) => o.layer === state.layer);
  if (!net || !out || !state.input) {
    overlay.hidden = true;
    rfText.textContent = net ? 'Draw a digit to see the feature maps.' : 'Look inside works on chain (SimpleNN) models.';
    return;
  }
  const [, H, W] = out.shape as [number, number, number, number];
  state.row = Math.min(Math.max(1, state.row), H);
  state.col = Math.min(Math.max(1, state.col), W);
  unitRow.max = String(H);
  unitCol.max = String(W);
  unitRow.value = String(state.row);
  unitCol.value = String(state.col);
  const [, iH, iW] = state.input.shape as [number, number, number, number];
  const field = layerFields(net, state.input.shape)[state.layer]!;
  const win = unitWindow(field, state.row, state.col);
  placeOverlay(overlay, inputCanvas, iH, iW, win);
  rfText.textContent = win
    ? `${out.name} (${out.type}), output ${H}×${W}×${out.shape[3]}: unit (${state.row}, ${state.col}) sees input rows ${win.top}…${win.top + win.height - 1}, columns ${win.left}…${win.left + win.width - 1} (receptive field ${win.height}×${win.width}, stride ${isReceptiveField(field) ? field.stride.join('×') : 'n/a'}).`
    : `${out.name} (${out.type}) has no receptive field on the input.`;
}

function showLayer(): void {
  const out = state.outputs?.find((o) => o.layer === state.layer);
  const maps = byId<HTMLDivElement>('feature-maps');
  if (!out) {
    maps.replaceChildren();
  } else {
    renderMaps(maps, out, (row, col) => {
      state.row = row;
      state.col = col;
      showUnit();
    });
  }
  showUnit();
}

let busy = false;
let again = false;
let idle: (() => void)[] = [];

/** Resolves once no classification runs. */
function busyDone(): Promise<void> {
  return busy ? new Promise((r) => idle.push(r)) : Promise.resolve();
}

async function classify(): Promise<void> {
  if (busy) {
    again = true;
    return;
  }
  busy = true;
  try {
    do {
      again = false;
      await classifyOnce();
    } while (again);
  } finally {
    busy = false;
    for (const r of idle) r();
    idle = [];
  }
}

async function classifyOnce(): Promise<void> {
  const model = state.model;
  const image = pad.framed();
  if (!model || !image) {
    renderBars(bars, classNames(model), null);
    return;
  }
  let x: Tensor | null = null;
  try {
    const normalization = (model.net.meta as { normalization?: unknown } | undefined)?.normalization;
    x = preprocess(image, normalization, pageBackend);
    const p = await predict(model.net, x, { topK: 1 });
    const probabilities = Array.from(p.probabilities[0]!);
    state.probabilities = probabilities;
    state.best = p.top[0]?.[0]?.name ?? null;
    state.classifications++;
    renderBars(bars, classNames(model), probabilities);
    drawStatus.textContent = `${model.label}: ${state.best} (${(100 * Math.max(...probabilities)).toFixed(1)} %).`;
    const [, H, W, C] = x.shape as [number, number, number, number];
    const data = Float32Array.from(await x.data());
    state.input = { data, shape: x.shape };
    renderInput(inputCanvas, data, H, W, C);
    const net = simple();
    state.outputs = net ? await layerOutputs(net, x) : null;
    showLayer();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    state.errors.push(message);
    drawStatus.textContent = `Cannot classify with ${model.label}: ${message}`;
  } finally {
    x?.dispose();
  }
}

let modelQueue: Promise<void> = Promise.resolve();

/** Reads a model and makes it the page's, one after another (a model in use is never disposed under a classification). */
function setModel(bytes: Uint8Array, label: string, store: boolean): Promise<void> {
  const next = modelQueue.then(() => installModel(bytes, label, store));
  modelQueue = next.catch(() => undefined);
  return next;
}

async function installModel(bytes: Uint8Array, label: string, store: boolean): Promise<void> {
  await busyDone();
  const next = readModel(bytes, label);
  if (state.model) disposeModel(state.model);
  state.model = next;
  state.outputs = null;
  modelStatus.textContent = `${label} (${next.format}${next.notes.length ? `; ${next.notes.length} import notes` : ''}).`;
  for (const id of ['download-model', 'download-mat', 'download-onnx']) byId<HTMLButtonElement>(id).disabled = false;
  const net = simple();
  layerSelect.replaceChildren();
  if (net) {
    for (const [l, layer] of bodyOf(net).entries()) layerSelect.add(new Option(`${l + 1}: ${layer.name} (${layer.type})`, String(l)));
    const conv3 = bodyOf(net).findIndex((l) => l.name === 'conv3');
    state.layer = Math.min(state.layer, bodyOf(net).length - 1);
    if (!layerSelect.dataset.touched && conv3 >= 0) state.layer = conv3;
    layerSelect.value = String(state.layer);
    await renderFilters(byId('filters'), net);
    renderSummary(byId('summary'), net);
  } else {
    byId('filters').textContent = 'Filters and feature maps are shown for chain (SimpleNN) models; this one is a DAG.';
    byId('summary').textContent = '';
  }
  if (store) {
    await saveStoredModel({ bytes, label, savedAt: new Date().toISOString() });
    state.stored = label;
  }
  await classify();
  state.modelsLoaded++;
}

const pad = drawPad(byId('draw-pad'), () => void classify());
byId('draw-clear').addEventListener('click', () => {
  pad.clear();
  state.probabilities = null;
  state.best = null;
  void classify();
});

layerSelect.addEventListener('change', () => {
  layerSelect.dataset.touched = 'yes';
  state.layer = Number(layerSelect.value);
  showLayer();
});
for (const [input, key] of [
  [unitRow, 'row'],
  [unitCol, 'col'],
] as const) {
  input.addEventListener('input', () => {
    state[key] = Number(input.value) || 1;
    showUnit();
  });
}

const panel = trainPanel((bytes, label) => {
  setModel(bytes, label, true).catch((err: unknown) => {
    modelStatus.textContent = `The trained model could not be read: ${(err as Error).message}`;
  });
});

downloadButtons(
  [
    [byId('download-model'), 'convnet-ts'],
    [byId('download-mat'), 'mat'],
    [byId('download-onnx'), 'onnx'],
  ],
  'convnet-ts-lenet',
  () => state.model?.net ?? null,
  (message) => {
    modelStatus.textContent = message;
  },
);

async function loadFile(file: File): Promise<void> {
  try {
    await setModel(new Uint8Array(await file.arrayBuffer()), file.name, true);
    loadStatus.textContent = `Loaded ${file.name} (${state.model?.format}, ${state.model && isDagNN(state.model.net) ? 'DagNN' : 'SimpleNN'}).${state.model?.notes.length ? ` Notes: ${state.model.notes.join('; ')}` : ''}`;
  } catch (err) {
    loadStatus.textContent = `Cannot load ${file.name}: ${(err as Error).message}`;
  }
}
dropTarget(byId('drop-zone'), (data) => {
  const file = data.files[0];
  if (file) void loadFile(file);
});
byId<HTMLInputElement>('model-file').addEventListener('change', (e) => {
  const file = (e.target as HTMLInputElement).files?.[0];
  if (file) void loadFile(file);
});

async function describeEnvironment(): Promise<void> {
  const gpu = (navigator as { gpu?: GPU }).gpu;
  const adapter = gpu ? await gpu.requestAdapter().catch(() => null) : null;
  const webgpu = adapter ? `WebGPU adapter: ${[adapter.info.vendor, adapter.info.architecture].filter(Boolean).join(' ') || 'yes'}` : 'no WebGPU adapter (training uses CPU threads)';
  const threads = self.crossOriginIsolated ? `cross-origin isolated: CPU training on ${navigator.hardwareConcurrency} threads` : 'not cross-origin isolated: CPU training on one thread (see README: COOP/COEP headers)';
  byId('environment').textContent = `${webgpu} · ${threads}.`;
}

const images = imagesPanel();

(window as unknown as { convnetWeb: unknown }).convnetWeb = { state, training: panel.log, images: images.log };
renderBars(bars, DIGITS, null);
void describeEnvironment();
loadStoredModel().then(
  (stored) => (stored ? setModel(stored.bytes, restoredLabel(stored), false) : undefined),
  (err: unknown) => {
    modelStatus.textContent = `No saved model (${(err as Error).message}).`;
  },
);
