import { createNodeWebGPUBackend } from '@convnet-ts/kernels-webgpu/node';
import { describeReliability } from './reliability/index.js';

// On Dawn over SwiftShader (see webgpu.conformance.test.ts); shapes stay tiny.
describeReliability({ name: 'webgpu (swiftshader)', create: () => createNodeWebGPUBackend() });
