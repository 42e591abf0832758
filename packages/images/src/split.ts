/**
 * How the datasets (Node folders and lists, dropped browser folders) split
 * an imdb and seed each image's jitter; no Node or DOM imports, so both
 * entries share them.
 */
import { pcgHash, Rng } from '@convnet-ts/tensor';

/** The jitter seed of image `index` in `epoch`: `pcg(pcg(pcg(seed) + epoch) + index)`, so a run's crops and flips depend on (seed, epoch, image) only. */
export function imageSeed(seed: number, epoch: number, index: number): number {
  return pcgHash((pcgHash((pcgHash(seed >>> 0) + epoch) >>> 0) + index) >>> 0);
}

/**
 * Sets 1 (train) / 2 (val): for each class 1..C in turn, its images in imdb
 * order shuffled by one `Rng(seed)` (`randperm`), the first
 * `round(valFraction · count)` of them val.
 */
export function valSplit(labels: readonly number[], numClasses: number, valFraction: number, seed: number): number[] {
  const rng = new Rng(seed);
  const set = labels.map(() => 1);
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  labels.forEach((l, i) => {
    byClass[l - 1]?.push(i);
  });
  for (const members of byClass) {
    const order = rng.randperm(members.length);
    const nVal = Math.round(valFraction * members.length);
    for (const k of order.subarray(0, nVal)) set[members[k - 1]!] = 2;
  }
  return set;
}
