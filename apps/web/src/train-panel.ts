/**
 * The Train view: reads the form, runs the training worker, and shows its
 * progress — status line (phase, batch, images/s), the objective and top-1
 * error plots (training as it runs, per batch; held-out per epoch) — and
 * hands every epoch's model file to `onModel`. Pause and resume are
 * messages to the worker; reset terminates it and clears the plots.
 *
 * For tests and curious users, `window.convnetWeb.training` holds every
 * batch report and epoch's statistics of the current run.
 */
import type { EpochStats } from '@convnet-ts/train';
import { followVariant, numberField } from './form-fields.js';
import { type LenetVariant, VARIANT_DEFAULTS } from './lenet.js';
import { drawTrainingPlots } from './plot.js';
import type { BackendChoice, BatchReport, FromWorker, TrainConfig } from './protocol.js';
import { startTrainWorker, type TrainWorker } from './train-worker-client.js';

export interface TrainingLog {
  state: 'idle' | 'loading' | 'training' | 'paused' | 'done' | 'error';
  backend: string | null;
  /** Milliseconds the worker took to read the digits and to open the backend. */
  startup: { digitsMs: number; backendMs: number } | null;
  batches: BatchReport[];
  epochs: EpochStats[];
  error: string | null;
}

export interface TrainPanel {
  readonly log: TrainingLog;
}

const byId = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`train panel: element #${id} expected in the page, got none`);
  return el as T;
};

function readConfig(form: HTMLFormElement): TrainConfig {
  const data = new FormData(form);
  const num = (name: string, integer: boolean, min: number): number => numberField(data, name, integer, min);
  return {
    variant: String(data.get('variant')) as LenetVariant,
    backend: String(data.get('backend')) as BackendChoice,
    trainImages: num('trainImages', true, 1),
    valImages: num('valImages', true, 1),
    epochs: num('epochs', true, 1),
    batchSize: num('batchSize', true, 1),
    learningRate: num('learningRate', false, 0),
    weightDecay: num('weightDecay', false, 0),
    momentum: 0.9,
    seed: num('seed', true, 0),
  };
}

export function trainPanel(onModel: (bytes: Uint8Array, label: string) => void): TrainPanel {
  const form = byId<HTMLFormElement>('train-form');
  const start = byId<HTMLButtonElement>('train-start');
  const pause = byId<HTMLButtonElement>('train-pause');
  const resume = byId<HTMLButtonElement>('train-resume');
  const reset = byId<HTMLButtonElement>('train-reset');
  const status = byId<HTMLParagraphElement>('train-status');
  const plotObjective = byId<HTMLCanvasElement>('plot-objective');
  const plotError = byId<HTMLCanvasElement>('plot-error');
  const log: TrainingLog = { state: 'idle', backend: null, startup: null, batches: [], epochs: [], error: null };
  let worker: TrainWorker | null = null;
  let numEpochs = 1;

  followVariant(form, VARIANT_DEFAULTS);

  const setState = (state: TrainingLog['state'], text: string): void => {
    log.state = state;
    status.dataset.state = state;
    status.textContent = text;
    start.disabled = state === 'loading' || state === 'training' || state === 'paused';
    pause.disabled = state !== 'training';
    resume.disabled = state !== 'paused';
    reset.disabled = state === 'idle';
  };

  const redraw = (): void => drawTrainingPlots(plotObjective, plotError, log.batches, log.epochs, numEpochs);

  const onMessage = (m: FromWorker): void => {
    if (m.type === 'ready') {
      log.backend = m.detail;
      log.startup = { digitsMs: m.digitsMs, backendMs: m.backendMs };
      setState('training', `Training on ${m.detail} (digits read in ${Math.round(m.digitsMs)} ms, backend ready in ${Math.round(m.backendMs)} ms)…`);
    } else if (m.type === 'batch') {
      log.batches.push(m);
      if (log.state === 'training') {
        const pass = m.mode === 'train' ? 'training' : 'validating';
        status.textContent = `Epoch ${m.epoch}/${m.numEpochs}, ${pass} batch ${m.batch}/${m.numBatches}: objective ${m.objective.toFixed(4)}, top-1 error ${(100 * m.top1err).toFixed(1)} %, ${Math.round(m.imagesPerSecond)} images/s — ${log.backend}`;
      }
      redraw();
    } else if (m.type === 'epoch') {
      log.epochs.push(m.stats);
      redraw();
      onModel(m.model, `LeNet trained on ${log.backend}, epoch ${m.stats.epoch}`);
    } else if (m.type === 'done') {
      log.epochs = m.stats;
      redraw();
      const last = m.stats[m.stats.length - 1];
      const val = last?.val ? `held-out error ${(100 * (last.val.errors.top1err ?? Number.NaN)).toFixed(2)} %` : '';
      onModel(m.model, `LeNet trained on ${log.backend}, ${m.stats.length} epoch${m.stats.length === 1 ? '' : 's'}`);
      setState('done', `Done: ${m.stats.length} epoch${m.stats.length === 1 ? '' : 's'} on ${log.backend}; ${val}, ${Math.round(log.batches.filter((b) => b.mode === 'train').at(-1)?.imagesPerSecond ?? 0)} training images/s.`);
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
    let config: TrainConfig;
    try {
      config = readConfig(form);
    } catch (err) {
      setState('error', `Check the form: ${(err as Error).message}`);
      return;
    }
    numEpochs = config.epochs;
    Object.assign(log, { backend: null, startup: null, batches: [], epochs: [], error: null });
    redraw();
    worker = startTrainWorker({ type: 'start', config, digitsUrl: new URL('mnist-digits.bin', document.baseURI).href }, onMessage);
    setState('loading', 'Loading the digits and opening the backend…');
  });
  // The worker answers 'paused' once the batch under way has finished.
  pause.addEventListener('click', () => {
    pause.disabled = true;
    worker?.pause();
  });
  resume.addEventListener('click', () => worker?.resume());
  reset.addEventListener('click', () => {
    worker?.stop();
    worker = null;
    Object.assign(log, { backend: null, startup: null, batches: [], epochs: [], error: null });
    redraw();
    setState('idle', 'Idle.');
  });
  redraw();
  return { log };
}
