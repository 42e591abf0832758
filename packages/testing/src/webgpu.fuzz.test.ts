import { createNodeWebGPUBackend } from '@convnet-ts/kernels-webgpu/node';
import { describeBlocksFuzz } from './fuzz/blocks-fuzz.js';
import { describeModelFileFuzz } from './fuzz/model-files-fuzz.js';

// On Dawn over SwiftShader (see webgpu.conformance.test.ts); shapes stay tiny.
const target = { name: 'webgpu (swiftshader)', create: () => createNodeWebGPUBackend(), tolerance: 1e-4 };
describeBlocksFuzz(target);
describeModelFileFuzz(target);
