/**
 * Cells and layout of `display`'s table: the per-layer filter columns
 * (support, filter depth, number of filters, dilation, stride, pad) and the
 * text table itself.
 */
import type { Field, VarSize } from '@convnet-ts/geometry';
import type { Layer } from './layer-types.js';

export const COLUMNS = [
  'layer',
  'name',
  'type',
  'support',
  'filt dim',
  'num filts',
  'dilate',
  'stride',
  'pad',
  'rf size',
  'rf offset',
  'rf stride',
  'data size',
  'data depth',
  'data num',
  'data mem',
  'param mem',
] as const;

export type Column = (typeof COLUMNS)[number];

/** One variable of the chain: row 0 is the input, row l + 1 the output of layer l. */
export interface DisplayRow {
  index: number;
  /** Receptive field on the input (`NO_FIELD` after a loss). */
  field: Field;
  /** Spatial size and channels, when known. */
  size: VarSize | undefined;
  /** Batch size N, when known (1 after a loss). */
  batch: number | undefined;
  /** The printed cells. */
  cells: Record<Column, string>;
}

function num(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toFixed(4)));
}

/** `[a, b, …]` as one number when all equal, else `axb…`. */
export function formatSize(values: readonly number[]): string {
  return values.every((v) => v === values[0]) ? num(values[0]!) : values.map(num).join('x');
}

type FilterColumns = Pick<Record<Column, string>, 'support' | 'filt dim' | 'num filts' | 'dilate' | 'stride' | 'pad'>;

/** The filter columns of a layer (`n/a` for the input, 1 / 0 defaults for element-wise layers). */
export function formatRows(layer: Layer | null): FilterColumns {
  if (!layer) return { support: 'n/a', 'filt dim': 'n/a', 'num filts': 'n/a', dilate: 'n/a', stride: 'n/a', pad: 'n/a' };
  const plain: FilterColumns = { support: '1', 'filt dim': 'n/a', 'num filts': 'n/a', dilate: '1', stride: '1', pad: '0' };
  switch (layer.type) {
    case 'conv': {
      const [f] = layer.weights;
      const [hf = 1, wf = 1, depth, k] = f?.shape ?? [1, 1];
      return {
        support: formatSize([(hf - 1) * layer.dilate[0] + 1, (wf - 1) * layer.dilate[1] + 1]),
        'filt dim': depth === undefined ? 'n/a' : String(depth),
        'num filts': k === undefined ? 'n/a' : String(k),
        dilate: formatSize(layer.dilate),
        stride: formatSize(layer.stride),
        pad: formatSize(layer.pad),
      };
    }
    case 'convt': {
      const [hf = 1, wf = 1, k = 1, d = 1] = layer.weights[0].shape;
      return {
        support: formatSize([hf, wf]),
        'filt dim': String(d / layer.numGroups),
        'num filts': String(k * layer.numGroups),
        dilate: '1',
        stride: `↑${formatSize(layer.upsample)}`,
        pad: `crop ${formatSize(layer.crop)}`,
      };
    }
    case 'pool':
      return { ...plain, support: formatSize(layer.pool), stride: formatSize(layer.stride), pad: formatSize(layer.pad) };
    default:
      return plain;
  }
}

/** Rows as an aligned text table with a header line. */
export function formatTable(rows: readonly DisplayRow[]): string {
  const widths = COLUMNS.map((c) => Math.max(c.length, ...rows.map((r) => r.cells[c].length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((s, i) => s.padStart(widths[i]!))
      .join(' | ')
      .trimEnd();
  return [line(COLUMNS), widths.map((w) => '-'.repeat(w)).join('-+-'), ...rows.map((r) => line(COLUMNS.map((c) => r.cells[c])))].join('\n');
}
