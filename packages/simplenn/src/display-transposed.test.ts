import { describe, expect, it } from 'vitest';
import { display } from './display.js';
import { cpu32, lenet } from './test-nets.js';

// vl_simplenn_display.m: `maxNumColumns` (default 18) and `format` ('ascii', 'latex', 'csv'), lines 28-46 and ptable/pascii/platex/pcsv.
describe('display formats (vl_simplenn_display.m)', () => {
  it("'ascii': fields down the first column, one column per variable, split every maxNumColumns", () => {
    const text = display(lenet(cpu32), { format: 'ascii', maxNumColumns: 4 }).text;
    const tables = text.split('\n\n');
    expect(tables).toHaveLength(4); // 9 variables in tables of 4, 4, 1, then the memory table
    const first = tables[0]!.split('\n');
    expect(first[0]).toBe('     layer|    0|    1|    2|    3|');
    expect(first[1]).toBe('----------|-----|-----|-----|-----|');
    expect(first[2]).toBe('      name|input|conv1|pool1|conv2|');
    expect(first).toContain(' data size|   28|   24|   12|    8|');
    expect(tables[2]!.split('\n')[0]).toBe('     layer|          8|');
    expect(tables[3]!.split('\n')).toEqual(['parameter memory|1.6MB (431080 parameters)|', '     data memory|  79KB (for batch size 1)|']);
  });

  it("'latex' and 'csv'", () => {
    const latex = display(lenet(cpu32), { format: 'latex', maxNumColumns: 18 }).text.split('\n');
    expect(latex[0]).toBe(`\\begin{tabular}{${'c'.repeat(10)}}`);
    expect(latex[2]).toBe('\\hline');
    expect(latex).toContain('      type&input& conv&mpool& conv&mpool& conv& relu& conv&softmaxloss\\\\');
    const csv = display(lenet(cpu32), { format: 'csv' }).text.split('\n');
    expect(csv[0]).toBe('     "layer",    "0",    "1",    "2",    "3",    "4",    "5",    "6",    "7",          "8",');
  });

  it('unknown options and formats throw; maxNumColumns only with a transposed format', () => {
    expect(() => display(lenet(cpu32), { maxNumColums: 3 } as never)).toThrow("display: unknown option 'maxNumColums'; known options are inputSize, batchSize, format, maxNumColumns");
    expect(() => display(lenet(cpu32), { format: 'html' as never })).toThrow("display: format must be one of 'table', 'ascii', 'latex', 'csv', got 'html'");
    expect(() => display(lenet(cpu32), { maxNumColumns: 4 })).toThrow('display: maxNumColumns must be given only with the transposed formats');
    expect(() => display(lenet(cpu32), { format: 'ascii', maxNumColumns: 0 })).toThrow('display: maxNumColumns must be an integer ≥ 1, got 0');
  });
});
