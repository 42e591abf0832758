/**
 * A small line plot on a canvas: x in epochs (fractional while an epoch
 * runs), y from 0 to the largest value of the first series (at least
 * `minTop`) — a later series' points above that (a batch-norm network's
 * held-out objective after a few batches, whose moments are still rough)
 * sit on the top edge as a triangle with their value — one polyline with
 * dots per series and a legend (below the triangles' row, on white).
 * Redrawn whole on every call.
 */
export interface Series {
  name: string;
  color: string;
  points: readonly (readonly [number, number])[];
}

const PAD = { left: 44, right: 12, top: 12, bottom: 28 };

function niceStep(range: number, ticks: number): number {
  const raw = range / ticks;
  const p = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 5, 10].find((m) => m * p >= raw) ?? 10) * p;
}

export function drawPlot(canvas: HTMLCanvasElement, series: readonly Series[], opts: { xMax: number; minTop: number }): void {
  const g = canvas.getContext('2d');
  if (!g) throw new Error('drawPlot: a 2D context expected from the canvas, got none');
  const { width: W, height: H } = canvas;
  g.clearRect(0, 0, W, H);
  g.fillStyle = '#fff';
  g.fillRect(0, 0, W, H);
  const values = (series[0]?.points ?? []).map((p) => p[1]).filter(Number.isFinite);
  const top = Math.max(opts.minTop, ...values) * 1.1;
  const xMax = Math.max(opts.xMax, 1);
  const px = (x: number): number => PAD.left + (x / xMax) * (W - PAD.left - PAD.right);
  const py = (y: number): number => H - PAD.bottom - (y / top) * (H - PAD.top - PAD.bottom);
  g.strokeStyle = '#e3e7ee';
  g.fillStyle = '#5b6474';
  g.font = '11px system-ui, sans-serif';
  g.lineWidth = 1;
  const yStep = niceStep(top, 4);
  for (let y = 0; y <= top; y += yStep) {
    g.beginPath();
    g.moveTo(PAD.left, py(y));
    g.lineTo(W - PAD.right, py(y));
    g.stroke();
    g.textAlign = 'right';
    g.fillText(Number(y.toPrecision(3)).toString(), PAD.left - 4, py(y) + 4);
  }
  const xStep = Math.max(1, niceStep(xMax, 6));
  g.textAlign = 'center';
  for (let x = 0; x <= xMax + 1e-9; x += xStep) g.fillText(String(x), px(x), H - PAD.bottom + 14);
  g.fillText('epoch', (PAD.left + W - PAD.right) / 2, H - 3);
  for (const s of series) {
    g.strokeStyle = s.color;
    g.fillStyle = s.color;
    g.lineWidth = 2;
    g.beginPath();
    s.points.forEach(([x, y], i) => {
      if (i === 0) g.moveTo(px(x), py(Math.min(y, top)));
      else g.lineTo(px(x), py(Math.min(y, top)));
    });
    g.stroke();
    for (const [x, y] of s.points) {
      g.beginPath();
      if (y > top) {
        g.moveTo(px(x), PAD.top);
        g.lineTo(px(x) - 5, PAD.top + 8);
        g.lineTo(px(x) + 5, PAD.top + 8);
        g.fill();
        g.textAlign = 'right';
        g.fillText(Number(y.toPrecision(3)).toString(), px(x) - 7, PAD.top + 9);
      } else {
        g.arc(px(x), py(y), 2.5, 0, 2 * Math.PI);
        g.fill();
      }
    }
  }
  // the legend last, on white, so that points and values drawn under it never hide it
  g.fillStyle = 'rgba(255, 255, 255, 0.92)';
  g.fillRect(W - PAD.right - 96, PAD.top + 14, 60, 14 * series.length + 4);
  g.textAlign = 'left';
  series.forEach((s, k) => {
    g.fillStyle = s.color;
    g.fillRect(W - PAD.right - 90, PAD.top + 20 + 14 * k, 10, 3);
    g.fillText(s.name, W - PAD.right - 76, PAD.top + 25 + 14 * k);
  });
}

/** The per-pass numbers the two training plots need (a BatchReport and an EpochStats carry them). */
interface PlotBatch {
  mode: 'train' | 'val';
  epoch: number;
  batch: number;
  numBatches: number;
  objective: number;
  top1err: number;
}
interface PlotEpoch {
  epoch: number;
  val: { objective: number; errors: Record<string, number | undefined> } | null;
}

/** Objective and top-1 error: training per batch (x = epoch − 1 + batch/numBatches), held-out per epoch. */
export function drawTrainingPlots(objective: HTMLCanvasElement, error: HTMLCanvasElement, batches: readonly PlotBatch[], epochs: readonly PlotEpoch[], numEpochs: number): void {
  const train = batches.filter((b) => b.mode === 'train');
  const x = (b: PlotBatch): number => b.epoch - 1 + b.batch / b.numBatches;
  const val = epochs.filter((e) => e.val);
  drawPlot(
    objective,
    [
      { name: 'train', color: '#3a6ea5', points: train.map((b) => [x(b), b.objective] as const) },
      { name: 'val', color: '#d9822b', points: val.map((e) => [e.epoch, e.val!.objective] as const) },
    ],
    { xMax: numEpochs, minTop: 0.5 },
  );
  drawPlot(
    error,
    [
      { name: 'train', color: '#3a6ea5', points: train.map((b) => [x(b), b.top1err] as const) },
      { name: 'val', color: '#d9822b', points: val.map((e) => [e.epoch, e.val!.errors.top1err ?? Number.NaN] as const) },
    ],
    { xMax: numEpochs, minTop: 0.1 },
  );
}
