/**
 * "Look inside" a SimpleNN: its first convolution's filters, the feature
 * maps every layer computes for the current input, the receptive field of
 * a chosen unit on the input, and `display`'s summary table.
 *
 * The receptive field comes from @convnet-ts/geometry (manual §5, eq. 5.1):
 * unit (i, j) of a layer's output (1-based) depends on the input rows
 *
 *     stride·(i − 1) + offset − (size − 1)/2  …  stride·(i − 1) + offset + (size − 1)/2
 *
 * and the columns likewise, with `size`, `stride`, `offset` of the chain's
 * field at that layer (`chainGeometry` of each layer's `geometryOf`). The
 * overlay is that window on the 28×28 input, clipped to it where the field
 * reaches over the border (padding); its `data-rf-*` attributes give the
 * unclipped numbers.
 */
import { chainGeometry, type Field, isReceptiveField } from '@convnet-ts/geometry';
import { COLUMNS, display, geometryOf, type SimpleNN, simplenn } from '@convnet-ts/simplenn';
import type { Tensor } from '@convnet-ts/tensor';
import { tile } from './tiles.js';

const LOSSES = ['loss', 'softmaxloss', 'pdist'];
/** At most this many channels are drawn per layer. */
export const MAX_MAPS = 100;

export interface LayerOutput {
  /** The layer's index in `net.layers` (0-based). */
  layer: number;
  name: string;
  type: string;
  /** `[N, H, W, C]`. */
  shape: readonly number[];
  data: Float32Array;
}

/** The layers before the losses (what runs on an unlabelled input). */
export function bodyOf(net: SimpleNN): SimpleNN['layers'] {
  let end = net.layers.length;
  while (end > 0 && LOSSES.includes(net.layers[end - 1]!.type)) end--;
  return net.layers.slice(0, end);
}

/** Every layer's output for `x` (test mode), read back to the host; the intermediate tensors are disposed. */
export async function layerOutputs(net: SimpleNN, x: Tensor): Promise<LayerOutput[]> {
  const layers = bodyOf(net);
  const res = simplenn({ layers, meta: net.meta }, x, null, null, { mode: 'test' });
  try {
    const out: LayerOutput[] = [];
    for (const [l, layer] of layers.entries()) {
      const y = res[l + 1]?.x;
      if (!y) throw new Error(`layerOutputs: layer ${l} (${layer.name}) left no output`);
      out.push({ layer: l, name: layer.name, type: layer.type, shape: y.shape, data: Float32Array.from(await y.data()) });
    }
    return out;
  } finally {
    for (const entry of res.slice(1)) entry.x?.dispose();
  }
}

/** The receptive field on the input of each layer's output (entry l: layer l). */
export function layerFields(net: SimpleNN, input: readonly number[]): Field[] {
  const [, H, W, C] = input;
  const vars = chainGeometry(bodyOf(net).map(geometryOf), { size: [H!, W!], channels: C });
  return vars.slice(1).map((v) => v.field);
}

export interface UnitWindow {
  /** First input row and column (1-based, possibly outside the input), and the window's height and width. */
  top: number;
  left: number;
  height: number;
  width: number;
}

/** The input window of unit (row, col) (1-based) under `field`; see the module doc. */
export function unitWindow(field: Field, row: number, col: number): UnitWindow | null {
  if (!isReceptiveField(field)) return null;
  const first = (axis: 0 | 1, i: number): number => field.stride[axis] * (i - 1) + field.offset[axis] - (field.size[axis] - 1) / 2;
  return { top: first(0, row), left: first(1, col), height: field.size[0], width: field.size[1] };
}

/** The first convolution's filters as tiles (first input channel, or RGB-averaged when it has three). */
export function renderFilters(container: HTMLElement, net: SimpleNN): Promise<void> {
  container.replaceChildren();
  const conv = net.layers.find((l) => l.type === 'conv');
  const f = conv && 'weights' in conv ? (conv.weights[0] as Tensor | null | undefined) : null;
  if (!f) {
    container.textContent = 'This network has no convolution.';
    return Promise.resolve();
  }
  const [Hf, Wf, D, K] = f.shape as [number, number, number, number];
  return f.data().then((values) => {
    const zoom = Math.max(4, Math.floor(48 / Math.max(Hf, Wf)));
    for (let k = 0; k < K; k++) {
      const canvas = tile(values, Hf, Wf, zoom, (y, x) => ((y * Wf + x) * D + 0) * K + k);
      canvas.title = `${conv!.name} filter ${k + 1} (${Hf}×${Wf}×${D})`;
      container.append(canvas);
    }
  });
}

/**
 * The output's channels as tiles, all on the layer's range (so a 1×1 map
 * still shows how strongly each channel fires); a click on a tile picks the
 * unit under the pointer.
 */
export function renderMaps(container: HTMLElement, output: LayerOutput, pick: (row: number, col: number) => void): void {
  container.replaceChildren();
  const [, H, W, C] = output.shape as [number, number, number, number];
  const zoom = Math.max(2, Math.floor(56 / Math.max(H, W)));
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of output.data) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  for (let c = 0; c < Math.min(C, MAX_MAPS); c++) {
    const canvas = tile(output.data, H, W, H === 1 && W === 1 ? 12 : zoom, (y, x) => (y * W + x) * C + c, [lo, hi]);
    canvas.title = `${output.name} channel ${c + 1}`;
    canvas.addEventListener('click', (e) => {
      const r = canvas.getBoundingClientRect();
      pick(Math.min(H, 1 + Math.floor(((e.clientY - r.top) / r.height) * H)), Math.min(W, 1 + Math.floor(((e.clientX - r.left) / r.width) * W)));
    });
    container.append(canvas);
  }
  if (C > MAX_MAPS) {
    const more = document.createElement('span');
    more.className = 'muted';
    more.textContent = `… and ${C - MAX_MAPS} more channels`;
    container.append(more);
  }
}

/** Places the overlay over the input canvas (H × W input pixels); hides it when there is no window. */
export function placeOverlay(overlay: HTMLElement, canvas: HTMLCanvasElement, H: number, W: number, win: UnitWindow | null): void {
  if (!win) {
    overlay.hidden = true;
    return;
  }
  const sy = canvas.clientHeight / H;
  const sx = canvas.clientWidth / W;
  const top = Math.max(0, win.top - 1);
  const left = Math.max(0, win.left - 1);
  const bottom = Math.min(H, win.top - 1 + win.height);
  const right = Math.min(W, win.left - 1 + win.width);
  Object.assign(overlay.style, { top: `${top * sy}px`, left: `${left * sx}px`, height: `${(bottom - top) * sy}px`, width: `${(right - left) * sx}px` });
  overlay.dataset.rfTop = String(win.top);
  overlay.dataset.rfLeft = String(win.left);
  overlay.dataset.rfHeight = String(win.height);
  overlay.dataset.rfWidth = String(win.width);
  overlay.hidden = false;
}

/** The input the network sees (`[1, H, W, C]`, first channel), scaled by its own range. */
export function renderInput(canvas: HTMLCanvasElement, x: Float32Array, H: number, W: number, C: number): void {
  const g = canvas.getContext('2d');
  if (!g) throw new Error('renderInput: a 2D context expected from the canvas, got none');
  const t = tile(x, H, W, 1, (y, col) => (y * W + col) * C);
  g.imageSmoothingEnabled = false;
  g.drawImage(t, 0, 0, canvas.width, canvas.height);
}

/** `display`'s table as an HTML table. */
export function renderSummary(container: HTMLElement, net: SimpleNN): void {
  const info = display(net);
  const table = document.createElement('table');
  const head = table.createTHead().insertRow();
  for (const c of COLUMNS) {
    const th = document.createElement('th');
    th.textContent = c;
    head.append(th);
  }
  const body = table.createTBody();
  for (const row of info.rows) {
    const tr = body.insertRow();
    for (const c of COLUMNS) tr.insertCell().textContent = row.cells[c];
  }
  const caption = document.createElement('p');
  caption.className = 'muted';
  caption.textContent = info.text.split('\n').filter((l) => /parameters|memory/i.test(l)).join(' · ');
  container.replaceChildren(table, caption);
}
