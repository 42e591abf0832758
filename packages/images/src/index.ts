export { type Boundary, type ContributionOptions, type Contributions, contributions } from './contributions.js';
export { type CropWindow, cropWindow } from './crop.js';
export { type ImresizeOptions, imresize, parseMethod, type Plane, resampleAxis, resampleBoth } from './imresize.js';
export { INTERPOLATIONS, type Interpolation, KERNELS, type Kernel } from './kernels.js';
