/** A micro-kernel tile: MR rows × NR columns (NR a multiple of 4), with relaxed-SIMD FMA or not. */
export interface Tile {
  mr: number;
  nr: number;
  fma?: boolean;
  /** A's scalars from vector loads, splatted by shuffles, instead of one load32_splat each. */
  splat?: boolean;
}
export const wasmDir: string;
export const DEFAULT_TILE: Tile;
export function partFiles(): string[];
export function gemmModuleText(tile?: Tile, options?: { shared?: boolean }): string;
export function gemmModuleBinary(tile?: Tile, options?: { shared?: boolean }): Promise<Uint8Array<ArrayBuffer>>;
