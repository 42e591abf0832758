/**
 * `extractStatsFn` — statistics the network itself reports
 * (`cnn_train_dag.m`'s `opts.extractStatsFn`, line 44, called after every
 * batch at line 271). MatConvNet's default, `extractStats` (lines 413-419),
 * reads the running `average` each `dagnn.Loss` keeps (Loss.m lines 20-31):
 * `average ← (n·average + N·output) / (n + N)` over the epoch's images so
 * far, reset at the start of each epoch.
 *
 * Contract here: `extractStatsFn(net, outputs, batch)` is called after the
 * forward (and, in training, backward) pass of every sub-batch, while the
 * network still holds that sub-batch's values. `outputs` are the network's
 * output values (DagNN: every output variable, by name; SimpleNN: the loss
 * layer's output as `objective`), `batch` says which images were seen. It
 * returns named *sums over the sub-batch's images*, each a number or a
 * 1-element tensor (read back asynchronously, once per batch, with the
 * objective). The trainer keeps MatConvNet's running average: after each
 * batch, a statistic is Σ sums / Σ images of the pass so far, reported in
 * `PassStats.errors` (a returned `objective` replaces the trainer's own,
 * the weighted sum of `derOutputs`, as MatConvNet's `stats.objective` is
 * whatever its stats function names so). The names must be the same on every
 * call of a pass and differ from the error function's. A returned tensor
 * is the trainer's to dispose (unless it is one of `outputs` or
 * `batch.predictions`, which the trainer disposes anyway).
 *
 * `lossStats` is MatConvNet's `extractStats` for a DagNN: each `Loss`
 * layer's output, by output name, times N when the layer normalises (so a
 * sum). Decision: the average is per image, where MatConvNet's divides by
 * H·W·N (pixels) — the same for the 1×1 losses of classification nets. A
 * Loss skipped by a sub-network evaluation (no labels) is left out, as its
 * MatConvNet average is not updated.
 */
import type { Labels } from '@convnet-ts/blocks';
import { type DagNN, Loss } from '@convnet-ts/dagnn';
import { isTensor, type Tensor, ValueError } from '@convnet-ts/tensor';

/** The sub-batch an `extractStatsFn` call reports on. */
export interface StatsBatch {
  /** Images in the sub-batch (N). */
  readonly images: number;
  /** Their 0-based indices into the batch source. */
  readonly indices: readonly number[];
  readonly labels: Labels;
  /** The scores fed to the loss, `[N, H, W, C]`. */
  readonly predictions: Tensor;
  readonly mode: 'train' | 'val';
  /** 1-based epoch. */
  readonly epoch: number;
}

/** Named sums over the sub-batch's images: numbers or 1-element tensors. */
export type ExtractedStats = Record<string, number | Tensor>;

export type ExtractStatsFn<Net = unknown> = (net: Net, outputs: Readonly<Record<string, Tensor>>, batch: StatsBatch) => ExtractedStats;

/** MatConvNet's `extractStats` (cnn_train_dag.m lines 413-419) for a DagNN: every Loss output, summed over the images. */
export function lossStats(net: DagNN, _outputs: Readonly<Record<string, Tensor>>, batch: StatsBatch): ExtractedStats {
  const stats: ExtractedStats = {};
  for (const l of net.layers) {
    if (!(l.block instanceof Loss)) continue;
    const name = l.outputs[0]!;
    const value = net.getVar(name, 'lossStats').value;
    if (value === null) continue;
    if (!isTensor(value) || value.size !== 1) {
      throw new ValueError('lossStats', name, `the output '${name}' of Loss layer '${l.name}' must be a 1-element tensor, got ${isTensor(value) ? `shape [${value.shape.join(', ')}]` : 'plain numbers'}`);
    }
    stats[name] = value.backend.run('Unary', { x: value }, { op: 'scale', alpha: l.block.normalise ? batch.images : 1 });
  }
  return stats;
}

/** Checks one call's result: an object of finite numbers and 1-element tensors, with the pass's names. */
export function checkExtracted(result: unknown, expectedNames: readonly string[] | null, reserved: readonly string[]): ExtractedStats {
  if (typeof result !== 'object' || result === null || Array.isArray(result)) {
    throw new ValueError('train', 'extractStatsFn', `extractStatsFn must return an object of named sums (numbers or 1-element tensors), got ${String(result)}`);
  }
  const entries = Object.entries(result as Record<string, unknown>);
  for (const [k, v] of entries) {
    const ok = (typeof v === 'number' && !Number.isNaN(v)) || (isTensor(v) && !v.isDisposed && v.size === 1);
    if (!ok) {
      const got = isTensor(v) ? (v.isDisposed ? 'a disposed tensor' : `a tensor of shape [${v.shape.join(', ')}]`) : String(v);
      throw new ValueError('train', 'extractStatsFn', `extractStatsFn's statistic '${k}' must be a number or a 1-element tensor, got ${got}`);
    }
    if (reserved.includes(k)) throw new ValueError('train', 'extractStatsFn', `extractStatsFn's statistic '${k}' must not repeat a name of the error function (${reserved.join(', ')})`);
  }
  const names = entries.map(([k]) => k);
  if (expectedNames !== null && (names.length !== expectedNames.length || names.some((n) => !expectedNames.includes(n)))) {
    throw new ValueError('train', 'extractStatsFn', `extractStatsFn must return the same statistics on every call of a pass (${expectedNames.join(', ') || 'none'}), got ${names.join(', ') || 'none'}`);
  }
  return result as ExtractedStats;
}
