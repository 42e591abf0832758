/**
 * Scores → probabilities and the top-k classes, as MatConvNet's examples
 * report them (`[bestScore, best] = max(scores)`, `net.meta.classes.description{best}`):
 * indices are 1-based, names and descriptions come from `meta.classes`.
 */
import { OptionError, ValueError } from '@convnet-ts/tensor';

/** One of the best classes of an image. */
export interface TopClass {
  /** 1-based class index, as MatConvNet's. */
  index: number;
  /** `meta.classes.name{index}` (e.g. the WordNet id 'n02123045'), when the model has names. */
  name?: string;
  /** `meta.classes.description{index}` (e.g. 'tabby, tabby cat'), when the model has descriptions. */
  description?: string;
  /** The probability (or the raw score when no softmax is applied). */
  score: number;
}

export interface ClassNames {
  name?: readonly string[];
  description?: readonly string[];
}

/** Softmax over one image's scores, in float64: exp(s − max s) / Σ exp(s − max s). */
export function softmax(scores: ArrayLike<number>): Float32Array {
  let max = -Infinity;
  for (let i = 0; i < scores.length; i++) max = Math.max(max, scores[i]!);
  const e = new Float64Array(scores.length);
  let sum = 0;
  for (let i = 0; i < scores.length; i++) {
    e[i] = Math.exp(scores[i]! - max);
    sum += e[i]!;
  }
  return Float32Array.from(e, (v) => v / sum);
}

const strings = (v: unknown): string[] | undefined => {
  if (typeof v === 'string') return [v];
  return Array.isArray(v) && v.every((s) => typeof s === 'string') ? (v as string[]) : undefined;
};

/**
 * `meta.classes` of a SimpleNN or DagNN, checked against the number of scores
 * K. An empty list is no names (`classes.name = {}`: what utils/import-caffe.py
 * writes for a model converted without --synsets).
 */
export function classNamesOf(where: string, meta: unknown, K: number): ClassNames {
  const classes = (meta as { classes?: unknown } | null | undefined)?.classes;
  if (classes === undefined || classes === null) return {};
  const c = classes as { name?: unknown; description?: unknown };
  const out: ClassNames = {};
  for (const key of ['name', 'description'] as const) {
    if (c[key] === undefined || c[key] === null) continue;
    const list = strings(c[key]);
    if (!list) throw new ValueError(where, `meta.classes.${key}`, `meta.classes.${key} must be a list of strings, got ${JSON.stringify(c[key]).slice(0, 80)}`);
    if (list.length === 0) continue;
    if (list.length !== K) {
      throw new ValueError(where, `meta.classes.${key}`, `meta.classes.${key} must name each of the network's ${K} outputs, got ${list.length} entries`);
    }
    out[key] = list;
  }
  return out;
}

/** The requested number of classes (default 5); `topClasses` reports at most K of them. */
export function checkTopK(where: string, topK: unknown): number {
  const k = topK ?? 5;
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1) throw new OptionError(where, 'topK', `topK must be a positive integer, got ${String(topK)}`);
  return k;
}

/** The `k` highest scores, best first (ties: lower index first). */
export function topClasses(scores: ArrayLike<number>, k: number, names: ClassNames): TopClass[] {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
  return order.slice(0, k).map((i) => {
    const t: TopClass = { index: i + 1, score: scores[i]! };
    if (names.name) t.name = names.name[i]!;
    if (names.description) t.description = names.description[i]!;
    return t;
  });
}
