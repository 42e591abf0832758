/**
 * `meta.normalization` of a network trained on a dropped image folder, as
 * `cnn_imagenet_init` and the Node imagefolder example record it: the input
 * size S×S×3, the training images' mean colour (`averageImage` 1×1×3,
 * subtracted from every pixel), and the held-out centre crop (`cropSize`
 * 0.875, bilinear, aspect kept) — so `preprocess` of @convnet-ts/predict,
 * here and in `bash scripts/run.sh classify`, feeds the net as training did.
 */
import type { JsonValue } from '@convnet-ts/simplenn';

export const VAL_CROP = 0.875;

export function imageNormalization(size: number, averageColour: readonly [number, number, number]): JsonValue {
  return {
    imageSize: [size, size, 3],
    averageImage: averageColour.map(Math.fround),
    averageImageSize: [1, 1, 3],
    cropSize: VAL_CROP,
    interpolation: 'bilinear',
    keepAspect: true,
  };
}
