/**
 * Grey tiles of 2-D slices (filters, feature maps): each slice scaled to
 * 0..255 by `range` (`[lo, hi]`, e.g. a whole layer's, so tiles compare) or
 * else by its own minimum and maximum (a constant slice is mid-grey), drawn
 * `zoom` times larger without smoothing.
 */
export function tile(
  values: ArrayLike<number>,
  height: number,
  width: number,
  zoom: number,
  at: (y: number, x: number) => number,
  range?: readonly [number, number],
): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  canvas.style.width = `${width * zoom}px`;
  canvas.style.height = `${height * zoom}px`;
  let [lo, hi] = range ?? [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
  for (let y = 0; y < height && !range; y++) {
    for (let x = 0; x < width; x++) {
      const v = values[at(y, x)]!;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  const g = canvas.getContext('2d');
  if (!g) throw new Error('tile: a 2D context expected from the canvas, got none');
  const image = g.createImageData(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = values[at(y, x)]!;
      const grey = hi > lo ? Math.round((255 * (Math.min(hi, Math.max(lo, v)) - lo)) / (hi - lo)) : 128;
      const k = 4 * (y * width + x);
      image.data.set([grey, grey, grey, 255], k);
    }
  }
  g.putImageData(image, 0, 0);
  return canvas;
}
