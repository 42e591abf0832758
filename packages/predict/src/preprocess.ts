/**
 * `preprocess(images, normalization, backend, opts)` — an image (or a list)
 * made into the network's input `[N, H, W, C]` as MatConvNet's examples do:
 *
 *     im_ = single(im) ;                                   % 0..255
 *     im_ = imresize(im_, net.meta.normalization.imageSize(1:2)) ;
 *     im_ = im_ - net.meta.normalization.averageImage ;
 *
 * (`cnn_imagenet_minimal.m`, the manual's Fig. 1.1). When the normalization
 * has `cropSize` (or `border`), the image is instead centre-cropped and
 * resized in one resampling as `cnn_imagenet_evaluate` → `getImageBatch` →
 * `vl_imreadjpeg` does (`crop.ts`; taps outside the image replicate its edge,
 * as vl_imreadjpeg's filter does); `opts.crop = false` forces the plain
 * imresize of Fig. 1.1. The resampling method is `normalization.interpolation`
 * (default bicubic, antialiased when shrinking; see `imresize.ts`).
 *
 * The average: a mean colour is subtracted from every pixel; a full average
 * image of `imageSize` element by element; a full average image of another
 * size is first resized to `imageSize` with bicubic imresize, as
 * `cnn_imagenet_evaluate`'s getBatchFn does. Channels follow `pixels.ts`.
 */
import type { Backend, Tensor } from '@convnet-ts/tensor';
import { ValueError } from '@convnet-ts/tensor';
import { type DrawableImage, isDrawable, pixelsOf } from './browser-source.js';
import { cropWindow, imresize, type Plane, resampleBoth } from '@convnet-ts/images';
import { type Normalization, parseNormalization } from './normalization.js';
import { isRawImage, type RawImage, toPlane } from './pixels.js';

export type ImageSource = RawImage | DrawableImage;

export interface PreprocessOptions {
  /** Centre-crop as vl_imreadjpeg when the normalization has cropSize/border (default true). */
  crop?: boolean;
}

const WHERE = 'preprocess';

/** One image resized (and cropped) to the network's input size, as float64. */
export function resizeToInput(image: Plane, n: Normalization, crop: boolean): Plane {
  const [H, W] = n.imageSize;
  const antialiasing = n.interpolation !== 'nearest';
  if (!crop || !n.cropSize) return imresize(image, [H, W], { method: n.interpolation, antialiasing });
  const w = cropWindow(image, { height: H, width: W }, n.cropSize, n.keepAspect);
  return resampleBoth(image, [H, W], n.interpolation, antialiasing, [
    { scale: H / w.height, offset: w.top },
    { scale: W / w.width, offset: w.left },
  ], 'replicate');
}

/** The average to subtract, as a row-major `[H, W, C]` image of the input size or a mean colour. */
function averageFor(n: Normalization): { data: Float64Array; perPixel: boolean } | null {
  const [H, W, C] = n.imageSize;
  if (!n.averageImage) return null;
  const [h, w] = n.averageSize;
  if (h === 1 && w === 1) return { data: n.averageImage, perPixel: false };
  if (h === H && w === W) return { data: n.averageImage, perPixel: true };
  const resized = imresize({ height: h, width: w, channels: C, data: n.averageImage }, [H, W]);
  return { data: resized.data, perPixel: true };
}

function toSource(image: unknown, what: string): RawImage {
  if (isRawImage(image)) return image;
  if (isDrawable(image)) return pixelsOf(WHERE, what, image);
  throw new ValueError(WHERE, what, `${what} must be raw pixels { width, height, data, channels? } (an ImageData fits) or, in a browser, an ImageBitmap, HTMLImageElement, HTMLCanvasElement or OffscreenCanvas, got ${Object.prototype.toString.call(image)}`);
}

/** See the module doc. Returns a new tensor `[N, H, W, C]` on `backend` (the caller disposes it). */
export function preprocess(images: ImageSource | readonly ImageSource[], normalization: unknown, backend: Backend, opts: PreprocessOptions = {}): Tensor {
  const n = parseNormalization(normalization);
  const list = Array.isArray(images) ? (images as readonly ImageSource[]) : [images as ImageSource];
  if (list.length === 0) throw new ValueError(WHERE, 'images', 'images must hold at least one image, got an empty list');
  const [H, W, C] = n.imageSize;
  const size = H * W * C;
  const out = new Float32Array(list.length * size);
  const average = averageFor(n);
  list.forEach((image, i) => {
    const what = Array.isArray(images) ? `images[${i}]` : 'image';
    const plane = resizeToInput(toPlane(WHERE, what, toSource(image, what), C), n, opts.crop ?? true);
    const at = i * size;
    for (let k = 0; k < size; k++) {
      const mean = average ? average.data[average.perPixel ? k : k % C]! : 0;
      out[at + k] = plane.data[k]! - mean;
    }
  });
  return backend.tensor(out, [list.length, H, W, C]);
}
