/**
 * The WebGPU flag values this backend uses, from the WebGPU specification.
 * Spelled out here so the backend never depends on the `GPUBufferUsage` and
 * `GPUMapMode` globals, which Node only has after `webgpu`'s `globals` are installed.
 */
export const BufferUsage = {
  MAP_READ: 0x0001,
  COPY_SRC: 0x0004,
  COPY_DST: 0x0008,
  UNIFORM: 0x0040,
  STORAGE: 0x0080,
} as const;

export const MapMode = { READ: 0x0001 } as const;

export const ShaderStage = { COMPUTE: 0x4 } as const;
