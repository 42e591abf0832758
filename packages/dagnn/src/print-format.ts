/**
 * The table renderers of `DagNN.print`. A table is a header row and data
 * rows of text cells.
 *
 * - `'table'`: convnet-ts's layout, one row per item (`| a | b |`).
 * - `'ascii'`, `'latex'`, `'csv'`: MatConvNet's layout (print.m lines
 *   194-253): transposed, one column per item after a column of field names,
 *   split into tables of at most `maxNumColumns` item columns; ascii cells
 *   are right-aligned and end in `|` with a dash rule under the header;
 *   latex is a `tabular` with `\hline` under the header (`\` and `_`
 *   escaped as MatConvNet does); csv quotes every cell and pads it to the
 *   column's width plus two, each followed by a comma.
 */

export type TableFormat = 'table' | 'ascii' | 'latex' | 'csv';

function rowTable(title: string, header: readonly string[], rows: readonly string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  return [title, line(header), rule, ...rows.map(line)].join('\n');
}

const latexEscape = (s: string): string => s.replaceAll('\\', '\\\\').replaceAll('_', '\\char`_');

/** One chunk of a transposed table: `cols[j]` is column j (field names first), `rule` marks the row under the header. */
function chunk(format: Exclude<TableFormat, 'table'>, cols: readonly string[][], ruled: boolean): string {
  const widths = cols.map((c) => Math.max(0, ...c.map((s) => s.length)));
  const numRows = cols[0]!.length;
  const out: string[] = [];
  if (format === 'latex') out.push(`\\begin{tabular}{${'c'.repeat(cols.length)}}`);
  for (let i = 0; i < numRows; i++) {
    const isRule = ruled && i === 1;
    if (format === 'ascii') out.push(cols.map((c, j) => `${(isRule ? '-'.repeat(widths[j]!) : c[i]!).padStart(widths[j]!)}|`).join(''));
    else if (format === 'latex') out.push(isRule ? '\\hline' : `${cols.map((c, j) => latexEscape(c[i]!).padStart(widths[j]!)).join('&')}\\\\`);
    else if (!isRule) out.push(cols.map((c, j) => `${`"${c[i]!}"`.padStart(widths[j]! + 2)},`).join(''));
  }
  if (format === 'latex') out.push('\\end{tabular}');
  return out.join('\n');
}

/**
 * One table in `format`. `rows` are the items (layers, parameters, …);
 * `ruled`: a rule follows the header (MatConvNet's '-' row; its memory
 * table has none).
 */
export function renderTable(
  format: TableFormat,
  title: string,
  header: readonly string[],
  rows: readonly string[][],
  maxNumColumns: number,
  ruled = true,
): string {
  if (format === 'table') return rowTable(title, header, rows);
  const fieldCol = ruled ? [header[0]!, '-', ...header.slice(1)] : [...header];
  const itemCols = rows.map((r) => (ruled ? [r[0]!, '-', ...r.slice(1)] : [...r]));
  const parts: string[] = [];
  for (let i = 0; i < Math.max(1, itemCols.length); i += maxNumColumns) {
    parts.push(chunk(format, [fieldCol, ...itemCols.slice(i, i + maxNumColumns)], ruled));
  }
  return parts.join('\n\n');
}

/** MatConvNet's `pmem` (print.m lines 263-271): bytes as `%.0f` B, KB, MB, GB of 1024. */
export function matMem(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x < 1024) return `${x.toFixed(0)}B`;
  if (x < 1024 ** 2) return `${(x / 1024).toFixed(0)}KB`;
  if (x < 1024 ** 3) return `${(x / 1024 ** 2).toFixed(0)}MB`;
  return `${(x / 1024 ** 3).toFixed(0)}GB`;
}

/** `%.4g` of MATLAB (no trailing zeros). */
const g4 = (v: number): string => (Number.isInteger(v) && Math.abs(v) < 1e4 ? String(v) : String(Number(v.toPrecision(4))));

/** MatConvNet's `pdims` (print.m lines 274-286): one number when all equal, else joined by `x`; `n/a` when unknown. */
export function matDims(x: readonly number[] | undefined): string {
  if (!x || x.length === 0 || x.every((v) => Number.isNaN(v))) return 'n/a';
  if (x.every((v) => v === x[0])) return g4(x[0]!);
  return x.map(g4).join('x');
}
