/**
 * `predict(net, x, opts)` — the classification step of MatConvNet's first
 * example (`res = vl_simplenn(net, im_)` / `net.eval({'data', im_})`, then
 * the best scores and `net.meta.classes.description`), for a SimpleNN or a
 * DagNN and a batch `x` `[N, H, W, C]` (from `preprocess`):
 *
 * - the network runs in test mode and stops before its loss layers
 *   (`run-simplenn.ts`, `run-dagnn.ts`); its output must be `[N, 1, 1, K]`;
 * - softmax is applied over the K scores of each image unless the network
 *   already ends in a SoftMax (or Sigmoid) layer (`opts.softmax`: 'auto',
 *   default; true: always; false: never, raw scores);
 * - the result holds each image's K probabilities and its `topK` best
 *   classes (default 5, at most K), best first, with 1-based indices.
 *
 * Everything it allocates on the backend is disposed before it returns; `x`
 * stays the caller's.
 */
import { DagNN } from '@convnet-ts/dagnn';
import type { SimpleNNSpec } from '@convnet-ts/simplenn';
import { isTensor, OptionError, type Tensor, ValueError } from '@convnet-ts/tensor';
import type { NetScores } from './net-scores.js';
import { dagnnScores } from './run-dagnn.js';
import { simplennScores } from './run-simplenn.js';
import { checkTopK, classNamesOf, softmax, type TopClass, topClasses } from './top-classes.js';

export interface PredictOptions {
  /** How many best classes to report per image (default 5; at most the number of classes). */
  topK?: number;
  /** 'auto' (default): softmax unless the network ends in SoftMax/Sigmoid; true / false: always / never. */
  softmax?: 'auto' | boolean;
  /** DagNN: the variable to read (default: the last non-loss output, see run-dagnn.ts). */
  output?: string;
  /** DagNN: the image input variable (default: the one input the output depends on). */
  input?: string;
}

export interface Prediction {
  /** Per image, the K class probabilities (raw scores when no softmax was applied). */
  probabilities: Float32Array[];
  /** Per image, the `topK` best classes, best first. */
  top: TopClass[][];
  /** Whether predict applied a softmax to the network's output. */
  softmaxApplied: boolean;
  /** The SimpleNN layer or DagNN variable the scores were read from. */
  output: string;
}

const WHERE = 'predict';

const OPTIONS = ['topK', 'softmax', 'output', 'input'];

export async function predict(net: SimpleNNSpec | DagNN, x: Tensor, opts: PredictOptions = {}): Promise<Prediction> {
  for (const key of Object.keys(opts)) {
    if (!OPTIONS.includes(key)) throw new OptionError(WHERE, key, `unknown option '${key}' (known: ${OPTIONS.join(', ')})`);
  }
  const mode = opts.softmax ?? 'auto';
  if (mode !== 'auto' && mode !== true && mode !== false) throw new OptionError(WHERE, 'softmax', `softmax must be 'auto', true or false, got ${String(mode)}`);
  if (!isTensor(x)) throw new ValueError(WHERE, 'x', `x must be a tensor [N, H, W, C] (from preprocess), got ${Object.prototype.toString.call(x)}`);
  x.assertAlive(WHERE, 'x');
  const k = checkTopK(WHERE, opts.topK);
  let r: NetScores;
  if (net instanceof DagNN) r = await dagnnScores(WHERE, net, x, opts);
  else {
    if (opts.output !== undefined || opts.input !== undefined) {
      throw new OptionError(WHERE, opts.output !== undefined ? 'output' : 'input', 'output and input name DagNN variables; a SimpleNN is read at its last layer before the losses');
    }
    r = await simplennScores(WHERE, net, x);
  }
  const names = classNamesOf(WHERE, net.meta, r.K);
  const apply = mode === 'auto' ? !r.probabilities : mode;
  const probabilities = Array.from({ length: r.N }, (_, i) => {
    const s = r.scores.subarray(i * r.K, (i + 1) * r.K);
    return apply ? softmax(s) : Float32Array.from(s);
  });
  return { probabilities, top: probabilities.map((p) => topClasses(p, Math.min(k, r.K), names)), softmaxApplied: apply, output: r.output };
}
