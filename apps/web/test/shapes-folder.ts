/**
 * A small class-per-folder tree of synthetic images, made from a seed
 * (`Rng` of @convnet-ts/tensor), for the "Train on your images" test:
 * `<root>/shapes/{disc,square,stripes}/<k>.png|jpg` — a disc, a square or
 * horizontal stripes of a random colour, size and place on a random
 * background, with pixel noise; every third image a JPEG — plus files the
 * page must name and leave out: `notes.txt` (not an image name),
 * `disc/broken.png` (a PNG signature, then garbage: corrupt) and
 * `square/fake.jpg` (text: not a PNG or JPEG inside).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '@convnet-ts/tensor';

export const SHAPE_CLASSES = ['disc', 'square', 'stripes'] as const;
export type ShapeClass = (typeof SHAPE_CLASSES)[number];

export interface ShapeImage {
  width: number;
  height: number;
  /** Row-major RGB, 0..255. */
  rgb: Uint8Array;
}

interface Encoders {
  pngBytes(w: number, h: number, c: 3, v: Uint8Array): Uint8Array;
  jpegBytes(w: number, h: number, v: Uint8Array, quality?: number): Uint8Array;
}

/** The PNG/JPEG encoders of @convnet-ts/images' tests (pngjs, jpeg-js). */
export async function encoders(imagesSrc: string): Promise<Encoders> {
  return (await import(join(imagesSrc, 'test-images.ts'))) as Encoders;
}

export function shapeImage(cls: ShapeClass, rng: Rng, size = 40): ShapeImage {
  const u = () => rng.uniform();
  const bg = [u(), u(), u()].map((v) => 40 + 80 * v);
  const fg = bg.map((v) => (v + 90 + 60 * u()) % 256);
  const r = size * (0.2 + 0.15 * u());
  const cy = size / 2 + (u() - 0.5) * size * 0.3;
  const cx = size / 2 + (u() - 0.5) * size * 0.3;
  const rgb = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const inside = cls === 'disc' ? (y - cy) ** 2 + (x - cx) ** 2 <= r * r : cls === 'square' ? Math.abs(y - cy) <= r && Math.abs(x - cx) <= r : Math.floor(y / 4) % 2 === 0;
      for (let c = 0; c < 3; c++) rgb[(y * size + x) * 3 + c] = Math.max(0, Math.min(255, Math.round((inside ? fg[c]! : bg[c]!) + 20 * (u() - 0.5))));
    }
  }
  return { width: size, height: size, rgb };
}

/** Writes the tree under `dir/shapes` (`perClass` images per class) and returns its folder and the images written as PNG, by path. */
export async function writeShapesFolder(dir: string, imagesSrc: string, perClass: number, seed: number): Promise<{ root: string; pngs: Map<string, ShapeImage> }> {
  const { pngBytes, jpegBytes } = await encoders(imagesSrc);
  const rng = new Rng(seed);
  const root = join(dir, 'shapes');
  const pngs = new Map<string, ShapeImage>();
  for (const cls of SHAPE_CLASSES) {
    mkdirSync(join(root, cls), { recursive: true });
    for (let k = 0; k < perClass; k++) {
      const im = shapeImage(cls, rng);
      const jpeg = k % 3 === 2;
      const name = `${cls}/${String(k).padStart(2, '0')}.${jpeg ? 'jpg' : 'png'}`;
      writeFileSync(join(root, name), jpeg ? jpegBytes(im.width, im.height, im.rgb, 92) : pngBytes(im.width, im.height, 3, im.rgb));
      if (!jpeg) pngs.set(name, im);
    }
  }
  writeFileSync(join(root, 'notes.txt'), 'three classes of shapes\n');
  writeFileSync(join(root, 'disc', 'broken.png'), Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
  writeFileSync(join(root, 'square', 'fake.jpg'), new TextEncoder().encode('not a JPEG at all'));
  return { root, pngs };
}
