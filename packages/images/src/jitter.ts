/**
 * The random draws of one image, made on the calling thread in image order
 * from `new Rng(seed)` — ten per image whatever the options, so image i's
 * jitter depends only on the seed and i, never on the number of threads or
 * on which images failed. `vl_imreadjpeg` draws the same quantities from C's
 * `rand()` (anisotropy, size, location x and y, flip, saturation, contrast,
 * then 3 normals for the colour shift). With one seed per image, image i's
 * ten draws come from `new Rng(seed[i])` (how a dataset keys them to
 * (seed, epoch, image)).
 */
import { Rng } from '@convnet-ts/tensor';

export interface Draws {
  /** Uniform in [0, 1) each: anisotropy, crop size, crop x, crop y, flip, saturation, contrast. */
  anisotropy: number;
  size: number;
  x: number;
  y: number;
  flip: number;
  saturation: number;
  contrast: number;
  /** w ~ N(0, I₃) of the colour shift B·w. */
  w: [number, number, number];
}

/** `count` images' draws from one seed, in order; or, given one seed per image, image i's from `new Rng(seed[i])` alone. */
export function drawJitter(seed: number | readonly number[], count: number): Draws[] {
  if (typeof seed !== 'number') return Array.from({ length: count }, (_, i) => drawJitter(seed[i]!, 1)[0]!);
  const rng = new Rng(seed);
  const out: Draws[] = [];
  for (let i = 0; i < count; i++) {
    const [anisotropy, size, x, y, flip, saturation, contrast] = Array.from({ length: 7 }, () => rng.uniform()) as [number, number, number, number, number, number, number];
    out.push({ anisotropy, size, x, y, flip, saturation, contrast, w: [rng.normal(), rng.normal(), rng.normal()] });
  }
  return out;
}
