/**
 * `display`'s MatConvNet formats (vl_simplenn_display.m, `ptable`,
 * `pascii`, `platex`, `pcsv`): the table transposed — a column of field
 * names, then one column per variable (the input, then each layer's
 * output) — split into tables of at most `maxNumColumns` variable columns,
 * then the two memory lines as a table of their own.
 *
 * - `'ascii'`: every cell right-aligned to its column's width and followed
 *   by `|`; a dash rule under the header row;
 * - `'latex'`: a `tabular` of centred columns, `&` between cells, `\\`
 *   ending rows, `\hline` for the rule; `\` and `_` escaped;
 * - `'csv'`: every cell quoted, right-aligned to the column's width plus
 *   two, followed by a comma; no rule.
 */
export type TransposedFormat = 'ascii' | 'latex' | 'csv';

const latexEscape = (s: string): string => s.replaceAll('\\', '\\\\').replaceAll('_', '\\char`_');

/** One table; `cols[j]` is column j, `rule` the row index followed by a rule (or -1). */
function render(format: TransposedFormat, cols: readonly (readonly string[])[], rule: number): string {
  const widths = cols.map((c) => Math.max(0, ...c.map((s) => s.length)));
  const out: string[] = [];
  if (format === 'latex') out.push(`\\begin{tabular}{${'c'.repeat(cols.length)}}`);
  const numRows = cols[0]!.length;
  for (let i = 0; i < numRows; i++) {
    if (format === 'ascii') out.push(cols.map((c, j) => `${c[i]!.padStart(widths[j]!)}|`).join(''));
    else if (format === 'latex') out.push(`${cols.map((c, j) => latexEscape(c[i]!).padStart(widths[j]!)).join('&')}\\\\`);
    else out.push(cols.map((c, j) => `${`"${c[i]!}"`.padStart(widths[j]! + 2)},`).join(''));
    if (i === rule) {
      if (format === 'ascii') out.push(widths.map((w) => `${'-'.repeat(w)}|`).join(''));
      else if (format === 'latex') out.push('\\hline');
    }
  }
  if (format === 'latex') out.push('\\end{tabular}');
  return out.join('\n');
}

/**
 * The transposed tables: `fields` names the rows, `columns[k]` holds the
 * cells of variable k in field order; `memory` is `[label, value]` pairs.
 */
export function transposedTables(
  format: TransposedFormat,
  fields: readonly string[],
  columns: readonly (readonly string[])[],
  memory: readonly (readonly [string, string])[],
  maxNumColumns: number,
): string {
  const parts: string[] = [];
  for (let i = 0; i < columns.length; i += maxNumColumns) parts.push(render(format, [fields, ...columns.slice(i, i + maxNumColumns)], 0));
  parts.push(render(format, [memory.map((m) => m[0]), memory.map((m) => m[1])], -1));
  return parts.join('\n\n');
}
