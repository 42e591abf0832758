/** Bᵀ (α × α), G (α × r) and Aᵀ (m × α) of one F(m×m, r×r). */
export interface WinogradMatrices {
  m: number;
  r: number;
  BT: number[][];
  G: number[][];
  AT: number[][];
}
export const WINOGRAD: Record<'2x3' | '4x3' | '2x5' | '4x5', WinogradMatrices>;
export function winogradName(m: number, r: number): string;
export function winogradFields(): string;
