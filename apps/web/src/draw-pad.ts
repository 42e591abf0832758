/**
 * The drawing canvas: white strokes on black (MNIST's polarity) drawn with
 * the mouse, a pen or a finger (pointer events), and the drawing framed as
 * MNIST frames its digits before it goes to the network: the ink's bounding
 * box scaled so its longer side is 20/28 of the frame, then shifted so the
 * ink's centre of mass sits at the frame's centre (LeCun et al.'s
 * preprocessing of NIST). `onChange` runs at most once per animation frame
 * while drawing and once when a stroke ends.
 */
const LINE_WIDTH = 22;

export interface DrawPad {
  /** The framed drawing as pixels of the pad's size, or null when nothing is drawn. */
  framed(): ImageData | null;
  clear(): void;
}

export function drawPad(canvas: HTMLCanvasElement, onChange: () => void): DrawPad {
  const g = canvas.getContext('2d', { willReadFrequently: true });
  if (!g) throw new Error('drawPad: a 2D context expected from the canvas, got none');
  const clear = (): void => {
    g.fillStyle = '#000';
    g.fillRect(0, 0, canvas.width, canvas.height);
  };
  clear();
  let last: { x: number; y: number } | null = null;
  let scheduled = false;
  const at = (e: PointerEvent): { x: number; y: number } => {
    const r = canvas.getBoundingClientRect();
    return { x: ((e.clientX - r.left) * canvas.width) / r.width, y: ((e.clientY - r.top) * canvas.height) / r.height };
  };
  const segment = (to: { x: number; y: number }): void => {
    g.strokeStyle = '#fff';
    g.lineWidth = LINE_WIDTH;
    g.lineCap = 'round';
    g.lineJoin = 'round';
    g.beginPath();
    g.moveTo(last?.x ?? to.x, last?.y ?? to.y);
    g.lineTo(to.x, to.y);
    g.stroke();
    last = to;
  };
  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => {
      scheduled = false;
      onChange();
    });
  };
  canvas.addEventListener('pointerdown', (e) => {
    canvas.setPointerCapture(e.pointerId);
    last = null;
    segment(at(e));
    schedule();
  });
  canvas.addEventListener('pointermove', (e) => {
    if (!canvas.hasPointerCapture(e.pointerId)) return;
    segment(at(e));
    schedule();
  });
  const end = (e: PointerEvent): void => {
    if (!canvas.hasPointerCapture(e.pointerId)) return;
    canvas.releasePointerCapture(e.pointerId);
    last = null;
    onChange();
  };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);

  return {
    clear,
    framed() {
      const { width: W, height: H } = canvas;
      const src = g.getImageData(0, 0, W, H);
      let top = H;
      let bottom = -1;
      let left = W;
      let right = -1;
      let mass = 0;
      let my = 0;
      let mx = 0;
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          const v = src.data[4 * (y * W + x)]!;
          if (v === 0) continue;
          top = Math.min(top, y);
          bottom = Math.max(bottom, y);
          left = Math.min(left, x);
          right = Math.max(right, x);
          mass += v;
          my += v * y;
          mx += v * x;
        }
      }
      if (mass === 0) return null;
      const scale = ((20 / 28) * Math.min(W, H)) / Math.max(bottom - top + 1, right - left + 1);
      const out = new OffscreenCanvas(W, H);
      const o = out.getContext('2d');
      if (!o) throw new Error('drawPad: a 2D context expected from an OffscreenCanvas, got none');
      o.fillStyle = '#000';
      o.fillRect(0, 0, W, H);
      o.imageSmoothingQuality = 'high';
      // The centre of mass (my/mass, mx/mass) lands on the frame's centre.
      o.setTransform(scale, 0, 0, scale, W / 2 - scale * (mx / mass + 0.5), H / 2 - scale * (my / mass + 0.5));
      o.drawImage(canvas, 0, 0);
      return o.getImageData(0, 0, W, H);
    },
  };
}
