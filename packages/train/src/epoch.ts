/**
 * One pass over a set (`cnn_train.m`'s `processEpoch`): batches of
 * `batchSize` consecutive indices of `order`; each batch split into
 * `numSubBatches` interleaved sub-batches (`batch(s : numSubBatches : end)`)
 * whose summed derivatives are added up with `Axpby`; in training, one
 * update per batch (`update.ts`). Objective and error counts are 1-element
 * tensors read back once per batch, after the update has been queued; a
 * NaN or infinite objective stops the run or warns (`non-finite.ts`).
 * With `extractStatsFn`, its sums (`extract-stats.ts`) are read back with
 * them and kept as running averages.
 *
 * Prefetch (cnn_train's `prefetch`): once a sub-batch's `getBatch` has
 * returned, and before it computes, a source with `prefetch` is given the
 * next sub-batch's indices (the next of this batch, else the first of the
 * next batch, else `then`: the first sub-batch of the pass that follows,
 * so the last batch's compute hides the next pass's first read too); the
 * seconds spent awaiting `getBatch` are the pass's `dataTime`.
 */
import { type Tensor, ValueError } from '@convnet-ts/tensor';
import type { Rng } from '@convnet-ts/tensor';
import type { NetworkAdapter } from './adapter.js';
import type { BatchContext, BatchSource } from './batch-source.js';
import { computeErrors } from './error-functions.js';
import { checkExtracted, type ExtractedStats } from './extract-stats.js';
import { NonFiniteCheck } from './non-finite.js';
import type { ParsedTrainOptions } from './options.js';
import { PassAccumulator, type PassStats } from './stats.js';
import { applyUpdates, type UpdateContext } from './update.js';

export interface PassContext {
  adapter: NetworkAdapter;
  source: BatchSource;
  opts: ParsedTrainOptions;
  epoch: number;
  rng: Rng;
  update: UpdateContext;
}

/** Sums two derivative lists (null = none); the first list's tensors are disposed. */
function addDers(acc: (Tensor | null)[] | null, ders: (Tensor | null)[]): (Tensor | null)[] {
  if (!acc) return ders;
  return ders.map((d, i) => {
    const a = acc[i] ?? null;
    if (!a || !d) return a ?? d;
    const sum = d.backend.run('Axpby', { x: a, y: d }, { alpha: 1, beta: 1 });
    a.dispose();
    d.dispose();
    return sum;
  });
}

/** The errors renamed by `errorLabels`, in order (cnn_train's `errorLabels`); their numbers must match. */
function labelled(errors: Record<string, Tensor>, labels: readonly string[] | null): Record<string, Tensor> {
  if (labels === null) return errors;
  const values = Object.values(errors);
  if (values.length !== labels.length) {
    for (const t of values) t.dispose();
    throw new ValueError('train', 'errorLabels', `errorLabels must name each of the error function's ${values.length} statistics (${Object.keys(errors).join(', ') || 'none'}), got ${labels.length}: ${labels.join(', ')}`);
  }
  return Object.fromEntries(values.map((t, i) => [labels[i]!, t]));
}

async function readScalar(t: Tensor): Promise<number> {
  const v = (await t.data())[0]!;
  t.dispose();
  return v;
}

/** Reads an extractStatsFn result; its tensors are disposed unless `held` (disposed by the caller). */
async function readExtracted(stats: ExtractedStats, held: ReadonlySet<Tensor>): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(stats)) {
    if (typeof v === 'number') out[k] = v;
    else if (held.has(v)) out[k] = (await v.data())[0]!;
    else out[k] = await readScalar(v);
  }
  return out;
}

/** cnn_train's sub-batches of a batch, `batch(s : numSubBatches : end)`, the empty ones left out. */
export function subBatches(batch: readonly number[], numSubBatches: number): number[][] {
  const subs = Array.from({ length: numSubBatches }, (_, s) => batch.filter((_, i) => i % numSubBatches === s));
  return subs.filter((sub) => sub.length > 0);
}

interface Pending {
  objective: Tensor;
  errors: Record<string, Tensor>;
  extracted: ExtractedStats | null;
  /** Tensors of the evaluation disposed once the extracted statistics are read. */
  held: Set<Tensor>;
}

/** The first sub-batch a pass over `order` reads (null for an empty order). */
export function firstSubBatch(order: readonly number[], opts: Pick<ParsedTrainOptions, 'batchSize' | 'numSubBatches'>): number[] | null {
  return subBatches(order.slice(0, opts.batchSize), opts.numSubBatches)[0] ?? null;
}

/** A read to announce to the source: indices and the context of the pass they belong to. */
export interface NextRead {
  indices: readonly number[];
  context: BatchContext;
}

/**
 * Runs one pass ('train': normal mode with updates; 'val': test mode) over
 * `order`; `then` (or null) is the first read of the pass that follows,
 * prefetched once this pass's last read has returned.
 */
export async function runPass(ctx: PassContext, order: readonly number[], mode: 'train' | 'val', then: NextRead | null = null): Promise<PassStats> {
  const { adapter, source, opts } = ctx;
  const acc = new PassAccumulator();
  const numBatches = Math.ceil(order.length / opts.batchSize);
  const nonFinite = new NonFiniteCheck(opts.onNonFinite, ctx.epoch, mode, numBatches);
  let extractedNames: string[] | null = null;
  const context = { epoch: ctx.epoch, mode };
  const batches = Array.from({ length: numBatches }, (_, b) => subBatches(order.slice(b * opts.batchSize, (b + 1) * opts.batchSize), opts.numSubBatches));
  for (let b = 0; b < numBatches; b++) {
    const batch = order.slice(b * opts.batchSize, (b + 1) * opts.batchSize);
    const subs = batches[b]!;
    let ders: (Tensor | null)[] | null = null;
    const pending: Pending[] = [];
    for (let s = 0; s < subs.length; s++) {
      const sub = subs[s]!;
      const waitStart = performance.now();
      const { images, labels } = await source.getBatch(sub, adapter.backend, context);
      acc.addDataTime((performance.now() - waitStart) / 1000);
      const next = s + 1 < subs.length ? subs[s + 1] : batches[b + 1]?.[0];
      if (source.prefetch) {
        if (next) source.prefetch(next, context);
        else if (then) source.prefetch(then.indices, then.context);
      }
      if (images.shape[0] !== sub.length) {
        throw new ValueError('train', 'source', `getBatch must return ${sub.length} images for ${sub.length} indices, got shape [${images.shape.join(', ')}]`);
      }
      const r = adapter.evaluate(images, labels, mode === 'train' ? 'normal' : 'test', ctx.rng);
      const errors = labelled(computeErrors(opts.errorFunction, r.predictions, labels), opts.errorLabels);
      const outputs = r.outputs ?? {};
      const held = new Set([r.predictions, ...Object.values(outputs)]);
      let extracted: ExtractedStats | null = null;
      if (opts.extractStatsFn) {
        const batchInfo = { images: sub.length, indices: sub, labels, predictions: r.predictions, mode, epoch: ctx.epoch };
        try {
          extracted = checkExtracted(opts.extractStatsFn(adapter.net, outputs, batchInfo), extractedNames, Object.keys(errors));
        } catch (err) {
          for (const t of [r.objective, images, ...held, ...Object.values(errors), ...(r.ders ?? []), ...(ders ?? [])]) t?.dispose();
          throw err;
        }
        extractedNames = Object.keys(extracted);
      } else {
        for (const t of held) t.dispose();
        held.clear();
      }
      pending.push({ objective: r.objective, errors, extracted, held });
      images.dispose();
      if (r.ders) ders = addDers(ders, r.ders);
    }
    if (mode === 'train' && ders) {
      applyUpdates(adapter, ders, batch.length, ctx.update);
      for (const d of ders) d?.dispose();
    }
    let objective = 0;
    const errors: Record<string, number> = {};
    const extracted: Record<string, number> = {};
    for (const p of pending) {
      objective += await readScalar(p.objective);
      for (const [k, t] of Object.entries(p.errors)) errors[k] = (errors[k] ?? 0) + (await readScalar(t));
      if (p.extracted) for (const [k, v] of Object.entries(await readExtracted(p.extracted, p.held))) extracted[k] = (extracted[k] ?? 0) + v;
      for (const t of p.held) t.dispose();
    }
    nonFinite.check(b + 1, objective);
    acc.add(batch.length, objective, errors, extracted);
    opts.onProgress?.({ phase: 'batch', epoch: ctx.epoch, numEpochs: opts.numEpochs, mode, batch: b + 1, numBatches, stats: acc.snapshot() });
  }
  const stats = acc.snapshot();
  opts.onProgress?.({ phase: 'end', epoch: ctx.epoch, numEpochs: opts.numEpochs, mode, batch: numBatches, numBatches, stats });
  return stats;
}
