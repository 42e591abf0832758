export { type DrawableImage, pixelsOf } from './browser-source.js';
export { type CropWindow, cropWindow, type ImresizeOptions, INTERPOLATIONS, type Interpolation, imresize, type Plane } from '@convnet-ts/images';
export { isDagNN, type LoadedModel, loadModel, type Model } from './load-model.js';
export { type Normalization, parseNormalization } from './normalization.js';
export { type RawImage, RGB2GRAY } from './pixels.js';
export { type Prediction, type PredictOptions, predict } from './predict.js';
export { type ImageSource, type PreprocessOptions, preprocess } from './preprocess.js';
export { softmax, type TopClass } from './top-classes.js';
