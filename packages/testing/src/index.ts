export { type HostInputs, type HostTensor, host, hostDistinct, hostRand, hostRandn, maxRelDiff, runOnHost } from './compare.js';
export { type ConformanceTarget, describeConformance } from './conformance.js';
export { type DerivativeCase, derivativeCases, type KernelCase, kernelCases } from './kernel-cases.js';
