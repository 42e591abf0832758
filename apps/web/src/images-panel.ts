/**
 * The "Train on your images" view: a folder of class folders dropped on the
 * page (or picked with a webkitdirectory input) is scanned at once
 * (`scanDroppedFiles` of @convnet-ts/images: the classes, their image
 * counts, the training / held-out split, files left out and why); *Train*
 * sends the files to the training worker (train-worker.ts, 'start-images'),
 * which checks every image (unreadable ones are named here), then trains
 * LeNet at S×S×3 with progress — objective and top-1 error plots, images/s
 * and the time spent waiting for images; *Pause* holds the network between
 * two updates until *Resume*. Each epoch's model becomes the
 * view's model: a dropped image is decoded by the same Web Worker decoder,
 * preprocessed by the model's `meta.normalization` and classified into the
 * folder names; the model downloads as a MatConvNet .mat (for `bash
 * scripts/run.sh classify`) or a convnet-ts file, and is kept in IndexedDB
 * (model-store.ts, key `images`) so it is back after a reload.
 *
 * `window.convnetWeb.images` holds the log (for tests and curious users).
 */
import { createImageReader, type DatasetProblem, type DroppedFile, type DroppedFolder, filesFromDataTransfer, filesFromInput, type IgnoredFile, scanDroppedFiles } from '@convnet-ts/images/browser';
import { predict, preprocess } from '@convnet-ts/predict';
import type { EpochStats } from '@convnet-ts/train';
import { renderBars } from './bars.js';
import { type CurrentModel, disposeModel, pageBackend, readModel } from './current-model.js';
// The decoding worker, bundled by Vite as a worker module (its URL).
import decodeWorkerUrl from '@convnet-ts/images/browser-worker?worker&url';
import { downloadButtons } from './downloads.js';
import { dropTarget } from './drop-target.js';
import { followVariant, numberField } from './form-fields.js';
import { IMAGE_VARIANT_DEFAULTS, type LenetVariant } from './lenet.js';
import { loadStoredModel, restoredLabel, saveStoredModel } from './model-store.js';
import { drawTrainingPlots } from './plot.js';
import type { BackendChoice, BatchReport, FromWorker, ImageTrainConfig } from './protocol.js';
import { startTrainWorker, type TrainWorker } from './train-worker-client.js';

export interface ImagesLog {
  state: 'empty' | 'ready' | 'checking' | 'training' | 'paused' | 'done' | 'error' | 'stopped';
  /** What the last drop or pick held. */
  found: { root: string; classes: string[]; counts: number[]; train: number[]; val: number[]; ignored: IgnoredFile[] } | null;
  problems: DatasetProblem[];
  check: { trainImages: number; valImages: number; averageColour: number[]; seconds: number } | null;
  backend: string | null;
  batches: BatchReport[];
  epochs: EpochStats[];
  error: string | null;
  /** Models received from the worker (not counting one restored from IndexedDB). */
  models: number;
  classification: { file: string; best: string; probabilities: number[] } | null;
}

const byId = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`images panel: element #${id} expected in the page, got none`);
  return el as T;
};

function readConfig(form: HTMLFormElement): ImageTrainConfig & { valFraction: number } {
  const data = new FormData(form);
  const num = (name: string, integer: boolean, min: number, max?: number): number => numberField(data, name, integer, min, max);
  return {
    variant: String(data.get('variant')) as LenetVariant,
    backend: String(data.get('backend')) as BackendChoice,
    size: num('size', true, 16, 256),
    epochs: num('epochs', true, 1, 1000),
    batchSize: num('batchSize', true, 1, 10000),
    learningRate: num('learningRate', false, 0),
    weightDecay: num('weightDecay', false, 0),
    momentum: 0.9,
    decodeThreads: num('decodeThreads', true, 1, 16),
    seed: num('seed', true, 0, 2 ** 32 - 1),
    valFraction: num('valFraction', false, 0, 0.9),
  };
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

function renderFound(table: HTMLElement, found: NonNullable<ImagesLog['found']>): void {
  const rows = found.classes.map((_, k) => `<tr><td>${k + 1}</td><th scope="row"></th><td>${found.counts[k]}</td><td>${found.train[k]}</td><td>${found.val[k]}</td></tr>`);
  const total = (v: number[]) => v.reduce((a, b) => a + b, 0);
  table.innerHTML = `<table><thead><tr><th>label</th><th>class (folder)</th><th>images</th><th>training</th><th>held out</th></tr></thead><tbody>${rows.join('')}</tbody><tfoot><tr><td></td><th scope="row">all</th><td>${total(found.counts)}</td><td>${total(found.train)}</td><td>${total(found.val)}</td></tr></tfoot></table>`;
  // class names are text from the user's disk: set as text, never as HTML
  table.querySelectorAll('tbody th').forEach((th, k) => {
    th.textContent = found.classes[k]!;
  });
}

/** A short list of paths with their reasons (the first `max`, then how many more). */
function listFiles(el: HTMLElement, title: string, items: readonly { path: string; text: string }[], max = 8): void {
  el.replaceChildren();
  if (items.length === 0) return;
  const head = document.createElement('strong');
  head.textContent = title;
  const list = document.createElement('ul');
  for (const it of items.slice(0, max)) {
    const li = document.createElement('li');
    const code = document.createElement('code');
    code.textContent = it.path;
    li.append(code, ` — ${it.text}`);
    list.append(li);
  }
  if (items.length > max) {
    const li = document.createElement('li');
    li.textContent = `… and ${items.length - max} more`;
    list.append(li);
  }
  el.append(head, list);
}

function drawPreview(canvas: HTMLCanvasElement, im: { width: number; height: number; channels: number; data: Float32Array }): void {
  const g = canvas.getContext('2d');
  if (!g) return;
  const scale = Math.min(canvas.width / im.width, canvas.height / im.height);
  const rgba = new ImageData(im.width, im.height);
  for (let p = 0; p < im.width * im.height; p++) {
    for (let c = 0; c < 3; c++) rgba.data[4 * p + c] = im.data[p * im.channels + (im.channels === 1 ? 0 : c)]!;
    rgba.data[4 * p + 3] = 255;
  }
  const off = new OffscreenCanvas(im.width, im.height);
  off.getContext('2d')?.putImageData(rgba, 0, 0);
  g.clearRect(0, 0, canvas.width, canvas.height);
  const w = im.width * scale;
  const h = im.height * scale;
  g.drawImage(off, (canvas.width - w) / 2, (canvas.height - h) / 2, w, h);
}

export function imagesPanel(): { log: ImagesLog } {
  const form = byId<HTMLFormElement>('images-form');
  const start = byId<HTMLButtonElement>('images-start');
  const pause = byId<HTMLButtonElement>('images-pause');
  const resume = byId<HTMLButtonElement>('images-resume');
  const stop = byId<HTMLButtonElement>('images-stop');
  const status = byId<HTMLParagraphElement>('images-status');
  const found = byId<HTMLDivElement>('images-found');
  const ignoredList = byId<HTMLDivElement>('images-ignored');
  const problemList = byId<HTMLDivElement>('images-problems');
  const speed = byId<HTMLParagraphElement>('images-speed');
  const plotObjective = byId<HTMLCanvasElement>('images-plot-objective');
  const plotError = byId<HTMLCanvasElement>('images-plot-error');
  const bars = byId<HTMLDivElement>('images-bars');
  const preview = byId<HTMLCanvasElement>('images-preview');
  const classifyStatus = byId<HTMLParagraphElement>('images-classify-status');
  const modelStatus = byId<HTMLSpanElement>('images-model-status');
  const log: ImagesLog = { state: 'empty', found: null, problems: [], check: null, backend: null, batches: [], epochs: [], error: null, models: 0, classification: null };
  let files: DroppedFile[] = [];
  let worker: TrainWorker | null = null;
  let numEpochs = 1;
  let model: CurrentModel | null = null;
  let lastImage: { file: File } | null = null;
  const reader = createImageReader({ numThreads: 1, workerUrl: new URL(decodeWorkerUrl, document.baseURI) });

  followVariant(form, IMAGE_VARIANT_DEFAULTS);

  const setState = (state: ImagesLog['state'], text: string): void => {
    log.state = state;
    status.dataset.state = state;
    status.textContent = text;
    start.disabled = state === 'empty' || state === 'checking' || state === 'training' || state === 'paused';
    pause.disabled = state !== 'training';
    resume.disabled = state !== 'paused';
    stop.disabled = state !== 'checking' && state !== 'training' && state !== 'paused';
  };
  const redraw = (): void => drawTrainingPlots(plotObjective, plotError, log.batches, log.epochs, numEpochs);

  /** Scans `files` with the form's split; returns the folder, or null after saying what is wrong. */
  const scan = (): DroppedFolder | null => {
    let cfg: ReturnType<typeof readConfig>;
    try {
      cfg = readConfig(form);
    } catch (err) {
      setState(files.length ? 'ready' : 'empty', `Check the form: ${(err as Error).message}`);
      return null;
    }
    try {
      const folder = scanDroppedFiles(files, { valFraction: cfg.valFraction, seed: cfg.seed });
      const { classes } = folder.imdb.meta;
      const per = (set: number) => classes.map((_, c) => folder.imdb.images.label.filter((l, i) => l === c + 1 && folder.imdb.images.set[i] === set).length);
      log.found = { root: folder.imdb.root, classes, counts: folder.counts, train: per(1), val: per(2), ignored: folder.ignored };
      renderFound(found, log.found);
      listFiles(
        ignoredList,
        `${plural(folder.ignored.length, 'file')} left out:`,
        folder.ignored.map((f) => ({ path: f.path, text: f.reason })),
      );
      return folder;
    } catch (err) {
      log.found = null;
      found.replaceChildren();
      listFiles(ignoredList, '', []);
      setState('empty', (err as Error).message.replace(/^scanDroppedFiles: /, ''));
      return null;
    }
  };

  const useFiles = (next: DroppedFile[]): void => {
    if (worker) return;
    files = next;
    log.problems = [];
    listFiles(problemList, '', []);
    const folder = scan();
    if (!folder) return;
    const n = folder.files.length;
    const where = folder.imdb.root ? ` in the folder “${folder.imdb.root}”` : '';
    const numClasses = log.found!.classes.length;
    const few = log.found!.classes.length < 2 ? ' Training needs at least two class folders.' : '';
    setState(few ? 'empty' : 'ready', `Found ${plural(n, 'image')} in ${numClasses} class${numClasses === 1 ? '' : 'es'}${where}.${few || ' Choose the network and press Train.'}`);
  };
  for (const name of ['valFraction', 'seed']) (form.elements.namedItem(name) as HTMLInputElement).addEventListener('change', () => files.length && !worker && scan());

  /** Makes `bytes` the view's model; `keep`: also save it in IndexedDB (a failure there is said, not thrown). */
  const setModel = (bytes: Uint8Array, label: string, keep: boolean): void => {
    const next = readModel(bytes, label);
    if (model) disposeModel(model);
    model = next;
    if (keep) log.models++;
    modelStatus.textContent = label;
    for (const id of ['images-download-mat', 'images-download-model']) byId<HTMLButtonElement>(id).disabled = false;
    classifyStatus.textContent = lastImage ? classifyStatus.textContent : 'Drop an image to classify it with this model.';
    if (lastImage) void classify(lastImage.file);
    if (keep) {
      saveStoredModel({ bytes, label, savedAt: new Date().toISOString() }, 'images').catch((err: unknown) => {
        modelStatus.textContent = `${label} (not kept for a reload: ${(err as Error).message})`;
      });
    }
  };

  const onMessage = (m: FromWorker): void => {
    if (m.type === 'checking') {
      status.textContent = `Checking the images: ${m.done} of ${m.total} decoded…`;
    } else if (m.type === 'checked') {
      log.problems = m.problems;
      log.check = { trainImages: m.trainImages, valImages: m.valImages, averageColour: m.averageColour, seconds: m.seconds };
      listFiles(
        problemList,
        `${plural(m.problems.length, 'file')} could not be read and ${m.problems.length === 1 ? 'is' : 'are'} left out:`,
        m.problems.map((p) => ({ path: p.path, text: `${p.reason}: ${p.message.replace(/^readImages: /, '')}` })),
      );
      status.textContent = `Checked in ${m.seconds.toFixed(1)} s: ${m.trainImages} training and ${m.valImages} held-out images readable; mean colour (${m.averageColour.map((v) => v.toFixed(0)).join(', ')}) subtracted. Opening the backend…`;
    } else if (m.type === 'ready') {
      log.backend = m.detail;
      setState('training', `Training on ${m.detail}…`);
    } else if (m.type === 'batch') {
      log.batches.push(m);
      if (log.state === 'training') {
        const pass = m.mode === 'train' ? 'training' : 'validating';
        status.textContent = `Epoch ${m.epoch}/${m.numEpochs}, ${pass} batch ${m.batch}/${m.numBatches}: objective ${m.objective.toFixed(3)}, top-1 error ${(100 * m.top1err).toFixed(1)} % — ${log.backend}`;
        if (m.mode === 'train') {
          const share = m.seconds > 0 ? (100 * m.dataSeconds) / m.seconds : 0;
          speed.textContent = `Training, epoch ${m.epoch}: ${Math.round(m.imagesPerSecond)} images/s; ${m.dataSeconds.toFixed(2)} s of ${m.seconds.toFixed(2)} s spent waiting for images to be decoded (${share.toFixed(0)} %).`;
        }
      }
      redraw();
    } else if (m.type === 'epoch') {
      log.epochs.push(m.stats);
      redraw();
      setModel(m.model, `LeNet on your images, epoch ${m.stats.epoch} (${log.backend})`, true);
    } else if (m.type === 'done') {
      log.epochs = m.stats;
      redraw();
      const last = m.stats.at(-1);
      const val = last?.val ? `, held-out error ${(100 * (last.val.errors.top1err ?? Number.NaN)).toFixed(1)} %` : '';
      setModel(m.model, `LeNet on your images, ${plural(m.stats.length, 'epoch')} (${log.backend})`, true);
      setState('done', `Done: ${plural(m.stats.length, 'epoch')} on ${log.backend}; training error ${(100 * (last?.train.errors.top1err ?? Number.NaN)).toFixed(1)} %${val}.`);
      worker?.stop();
      worker = null;
    } else if (m.type === 'paused') {
      setState('paused', `Paused — ${status.textContent}`);
    } else if (m.type === 'resumed') {
      setState('training', `Training on ${log.backend}…`);
    } else if (m.type === 'error') {
      log.error = m.message;
      setState('error', `Training failed: ${m.message}`);
      worker?.stop();
      worker = null;
    }
  };

  start.addEventListener('click', () => {
    const folder = scan();
    if (!folder) return;
    const { valFraction: _, ...config } = readConfig(form);
    numEpochs = config.epochs;
    Object.assign(log, { problems: [], check: null, backend: null, batches: [], epochs: [], error: null });
    listFiles(problemList, '', []);
    speed.textContent = '';
    redraw();
    worker = startTrainWorker({ type: 'start-images', config, folder }, onMessage);
    setState('checking', `Checking the images: 0 of ${folder.files.length} decoded…`);
  });
  // The worker answers 'paused' once the batch under way has finished.
  pause.addEventListener('click', () => {
    pause.disabled = true;
    worker?.pause();
  });
  resume.addEventListener('click', () => worker?.resume());
  stop.addEventListener('click', () => {
    worker?.stop();
    worker = null;
    setState('stopped', `Stopped after ${plural(log.epochs.length, 'epoch')}${model ? '; the last epoch’s model is kept below' : ''}.`);
  });

  dropTarget(byId('images-drop'), (data) => {
    // before any await: the browser empties the drop's items when this handler returns
    filesFromDataTransfer(data).then(useFiles, (err: unknown) => setState('empty', `Cannot read the drop: ${(err as Error).message}`));
  });
  byId<HTMLInputElement>('images-input').addEventListener('change', (e) => {
    const list = (e.target as HTMLInputElement).files;
    if (list) useFiles(filesFromInput(list));
  });

  async function classify(file: File): Promise<void> {
    lastImage = { file };
    if (!model) {
      classifyStatus.textContent = 'Train a model first; the image is kept and classified once one is ready.';
      return;
    }
    const names = ((model.net.meta as { classes?: { name?: unknown } }).classes?.name as string[] | undefined) ?? [];
    try {
      const read = await reader.read([file]);
      if (!('images' in read) || !read.images[0]) throw new Error('no image decoded');
      const im = read.images[0];
      drawPreview(preview, im);
      const x = preprocess(im, (model.net.meta as { normalization?: unknown }).normalization, pageBackend);
      try {
        const p = await predict(model.net, x, { topK: 1 });
        const probabilities = Array.from(p.probabilities[0]!);
        const best = p.top[0]?.[0]?.name ?? names[probabilities.indexOf(Math.max(...probabilities))] ?? '?';
        log.classification = { file: file.name, best, probabilities };
        renderBars(bars, names, probabilities);
        classifyStatus.textContent = `${file.name}: ${best} (${(100 * Math.max(...probabilities)).toFixed(1)} %), by ${model.label}.`;
      } finally {
        x.dispose();
      }
    } catch (err) {
      classifyStatus.textContent = `Cannot classify ${file.name}: ${(err as Error).message}`;
    }
  }
  dropTarget(byId('images-classify-drop'), (data) => {
    const file = data.files[0];
    if (file) void classify(file);
  });
  byId<HTMLInputElement>('images-classify-input').addEventListener('change', (e) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (file) void classify(file);
  });

  downloadButtons(
    [
      [byId('images-download-mat'), 'mat'],
      [byId('images-download-model'), 'convnet-ts'],
    ],
    'convnet-ts-images',
    () => model?.net ?? null,
    (message) => {
      modelStatus.textContent = message;
    },
  );
  redraw();
  setState('empty', 'Drop a folder, or choose one, to start.');
  loadStoredModel('images').then(
    (stored) => {
      if (stored && !model) setModel(stored.bytes, restoredLabel(stored), false);
    },
    (err: unknown) => {
      modelStatus.textContent = `No saved model (${(err as Error).message}).`;
    },
  );
  return { log };
}
