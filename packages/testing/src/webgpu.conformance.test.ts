import { createNodeWebGPUBackend } from '@convnet-ts/kernels-webgpu/node';
import { describeConformance } from './conformance.js';

// The conformance suite on Dawn (npm `webgpu`). Without a GPU, Dawn needs
// SwiftShader: `apt-get install -y chromium libvulkan1` and
// VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json (scripts/run.sh
// does both). Without an adapter every case fails with a DeviceError saying
// so; nothing is skipped.
describeConformance({ name: 'webgpu (swiftshader)', create: () => createNodeWebGPUBackend() });
