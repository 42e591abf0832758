/** What predict-page.ts leaves in `window.__result`. */

/** The models and image the page fetches (served by browser-predict.test.ts). */
export const PREDICT_MODELS = ['simplenn-beta25.v7.mat', 'dagnn-resnet.v6.mat'] as const;
export const PREDICT_IMAGE = 'image.png';

export interface PredictRun {
  model: string;
  /** How the image reached preprocess. */
  source: 'ImageBitmap' | 'ImageData';
  backend: string;
  probabilities: number[];
  /** 1-based indices, best first. */
  top: number[];
  /** Backend tensors alive after predict minus before (0: nothing leaked). */
  leaked: number;
}

export type PredictReport = { ok: true; runs: PredictRun[] } | { ok: false; error: string };
