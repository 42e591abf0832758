import type { Tensor } from '@convnet-ts/tensor';

/** Threads per workgroup of every program. */
export const WORKGROUP_SIZE = 64;

/**
 * One compute dispatch, described as data (validate → program → run): the
 * kernel builds a `Program` and the backend compiles (once per
 * `kernel:variant`), binds and encodes it.
 *
 * The WGSL `body` runs once per thread with `i: u32` its index in
 * `[0, threads)`. Inputs are bound read-only as `array<f32>` under their
 * names, outputs read-write; uniforms are scalars `u.name`. Sizes must be
 * uniforms, never text in the body: the pipeline cache is keyed by
 * `kernel:variant` alone (the backend rejects a body that changes under the
 * same key).
 */
export interface Program {
  /** The kernel name, shown in compilation errors. */
  kernel: string;
  /** Distinguishes WGSL variants of one kernel (an op, a rank, a flag); never a size. */
  variant: string;
  inputs: Readonly<Record<string, Tensor>>;
  /** Tensors this program writes (made by `gpu.empty`). */
  outputs: Readonly<Record<string, Tensor>>;
  u32?: Readonly<Record<string, number>>;
  i32?: Readonly<Record<string, number>>;
  f32?: Readonly<Record<string, number>>;
  /** Number of threads (usually the output size). */
  threads: number;
  /** WGSL statements run by thread `i`. */
  body: string;
  /** WGSL functions used by the body (and, for a tiled program, its `var<workgroup>` arrays). */
  helpers?: string;
  /**
   * A tiled program: `[x, y, z]` workgroups of `workgroupSize` threads, and a
   * body that is the whole of `main`, with `li` (local_invocation_index) and
   * `wg` (workgroup_id) in scope instead of `i` — it may use workgroup memory
   * and barriers, so no thread returns early. `threads` is then only a uniform.
   */
  workgroups?: readonly [number, number, number];
  /** Threads per workgroup of a tiled program (a WGSL constant, so part of the variant). */
  workgroupSize?: number;
  /**
   * Inputs and outputs bound as `array<vec4<f32>>` (vectorised loads and
   * stores; part of the variant). Each must hold a multiple of 4 elements.
   */
  vec4?: readonly string[];
}

/** A uniform field: its WGSL name, type and value. */
export interface UniformField {
  name: string;
  type: 'u32' | 'i32' | 'f32';
  value: number;
}

/** Every uniform of a program in binding order, `threads` first. */
export function uniformFields(p: Program): UniformField[] {
  const fields: UniformField[] = [{ name: 'threads', type: 'u32', value: p.threads }];
  for (const type of ['u32', 'i32', 'f32'] as const) {
    for (const [name, value] of Object.entries(p[type] ?? {})) fields.push({ name, type, value });
  }
  return fields;
}

/** The uniform buffer's bytes: one 4-byte scalar per field, padded to 16 bytes. */
export function packUniforms(fields: readonly UniformField[]): ArrayBuffer {
  const bytes = Math.ceil((fields.length * 4) / 16) * 16;
  const data = new ArrayBuffer(bytes);
  const view = new DataView(data);
  fields.forEach((f, k) => {
    if (f.type === 'u32') view.setUint32(k * 4, f.value >>> 0, true);
    else if (f.type === 'i32') view.setInt32(k * 4, f.value | 0, true);
    else view.setFloat32(k * 4, f.value, true);
  });
  return data;
}

/** The complete WGSL module of a program: uniforms at binding 0, then inputs, then outputs. */
export function programSource(p: Program, fields: readonly UniformField[]): string {
  const lines: string[] = [];
  lines.push(`struct Uniforms {\n${fields.map((f) => `  ${f.name}: ${f.type},`).join('\n')}\n}`);
  lines.push('@group(0) @binding(0) var<uniform> u: Uniforms;');
  let binding = 1;
  const element = (name: string) => (p.vec4?.includes(name) ? 'vec4<f32>' : 'f32');
  for (const name of Object.keys(p.inputs)) lines.push(`@group(0) @binding(${binding++}) var<storage, read> ${name}: array<${element(name)}>;`);
  for (const name of Object.keys(p.outputs)) lines.push(`@group(0) @binding(${binding++}) var<storage, read_write> ${name}: array<${element(name)}>;`);
  if (p.helpers) lines.push(p.helpers);
  if (p.workgroups) {
    lines.push(`@compute @workgroup_size(${p.workgroupSize ?? WORKGROUP_SIZE})
fn main(@builtin(local_invocation_index) li: u32, @builtin(workgroup_id) wg: vec3<u32>) {
${p.body}
}`);
    return lines.join('\n');
  }
  lines.push(`@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * ${WORKGROUP_SIZE}u;
  if (i >= u.threads) { return; }
${p.body}
}`);
  return lines.join('\n');
}

/** Workgroup counts `[x, y]` covering `threads`, within the 65535-per-dimension limit. */
export function workgroupCounts(threads: number, maxPerDimension = 65535): [number, number] {
  const groups = Math.ceil(threads / WORKGROUP_SIZE);
  const x = Math.min(groups, maxPerDimension);
  return [x, Math.ceil(groups / x)];
}
