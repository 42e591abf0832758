/**
 * A small folder of real photographs for the image-folder example, made
 * from three CC0 texture photos that scikit-image ships (Debian's
 * `python3-skimage`, `skimage/data/`): `brick.png` (CC0Textures
 * "Bricks25"), `grass.png` (DeviantArt linolafett "Grass-01") and
 * `gravel.png` (CC0Textures "Gravel04"), each 512×512 grey. Each photo is
 * cut into non-overlapping `tile × tile` squares (default 64: 64 tiles a
 * photo), written as quality-90 JPEG files `<out>/<class>/<row>-<col>.jpg`,
 * so the classes are brick, grass, gravel and held-out tiles are other
 * parts of the same three photos. No randomness: the same files every time.
 *
 *   apt-get download python3-skimage && dpkg-deb -x python3-skimage_*.deb skimage-deb
 *   pnpm --filter @convnet-ts/examples build
 *   node apps/examples/dist/texture-folder.js skimage-deb/usr/lib/python3/dist-packages/skimage/data textures [tile]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ImageList, readImages } from '@convnet-ts/images/node';
import { greyJpeg } from './grey-jpeg.js';

export const TEXTURES = ['brick', 'grass', 'gravel'] as const;

/** Cuts `<data>/<class>.png` into tiles under `out`; returns the number of tiles per class. */
export async function writeTextureFolder(data: string, out: string, tile = 64): Promise<number> {
  if (!Number.isInteger(tile) || tile < 8) throw new RangeError(`texture-folder: tile must be an integer ≥ 8, got ${tile}`);
  const read = (await readImages(TEXTURES.map((t) => join(data, `${t}.png`)))) as ImageList;
  let count = 0;
  read.images.forEach((im, k) => {
    const dir = join(out, TEXTURES[k]!);
    mkdirSync(dir, { recursive: true });
    const rows = Math.floor(im.height / tile);
    const cols = Math.floor(im.width / tile);
    count = rows * cols;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        // first channel: the photos are grey (jpeg-js/sharp may give 1 or 3 equal channels)
        const px = Uint8Array.from({ length: tile * tile }, (_, i) => im.data[((r * tile + Math.floor(i / tile)) * im.width + c * tile + (i % tile)) * im.channels]!);
        writeFileSync(join(dir, `${String(r).padStart(2, '0')}-${String(c).padStart(2, '0')}.jpg`), greyJpeg(tile, tile, px, 90));
      }
    }
  });
  return count;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [data, out, tile] = process.argv.slice(2);
  if (!data || !out) {
    console.error('usage: node apps/examples/dist/texture-folder.js SKIMAGE_DATA_DIR OUT_DIR [TILE]');
    process.exitCode = 2;
  } else {
    const n = await writeTextureFolder(data, out, tile === undefined ? 64 : Number(tile));
    console.log(`wrote ${n} tiles of each of ${TEXTURES.join(', ')} to ${out}`);
  }
}
