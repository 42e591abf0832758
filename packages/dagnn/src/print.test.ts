import { Rng } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { branchyNet, cpu32, lenetDag } from './test-nets.js';

describe('DagNN.print (print.m)', () => {
  it("MatConvNet's defaults (print.m lines 65-83): layers and memory; variables when inputSizes are given", () => {
    const net = lenetDag(cpu32).initParams(new Rng(0));
    const plain = net.print();
    expect(plain).toContain('| conv1 | Conv    | input            | x1         | conv1f,conv1b | [0, 0, 0, 0] | [1, 1] |');
    expect(plain).toContain('| relu  | ReLU    | x5               | x6         |               | n/a          | n/a    |');
    expect(plain).not.toContain('Parameters');
    expect(plain).not.toContain('Variables');
    expect(plain).toContain('Memory: parameters 1.6MB, variables ? (give inputSizes), total ?');
    const sized = net.print({ inputSizes: { input: [100, 28, 28, 1] } });
    expect(sized).toContain('| x1         | 24×24×20×100   | 4.4MB   | 1     | 1      |');
    expect(sized).toContain('| objective  | [1]            | 4B      | 1     | 0      |');
    expect(sized).not.toContain('Parameters');
  });

  it('all: parameters, variables and dependencies too (print.m lines 74-81)', () => {
    const text = lenetDag(cpu32).initParams(new Rng(0)).print({ all: true, inputSizes: { input: [100, 28, 28, 1] } });
    expect(text).toContain('| conv3f | [4, 4, 50, 500] | 1.5MB  | 1      | 1  | 1  | gradient |');
    expect(text).toContain("Receptive fields in 'input'");
    expect(text).toContain('| prediction    | [28, 28] | [4, 4] | [14.5, 14.5] |');
    expect(text).toMatch(/Memory: parameters 1\.6MB, variables \d+\.\dMB, total \d+\.\dMB/);
  });

  it('selections by name or 0-based index; unknown names, options and formats throw', () => {
    const net = lenetDag(cpu32);
    const text = net.print({ layers: ['pool1'], parameters: [0], variables: '*', memory: false });
    expect(text).toContain('| pool1 | Pooling |');
    expect(text).not.toContain('| conv1 |');
    expect(text).toContain('| conv1f | unset');
    expect(text).not.toContain('Memory');
    expect(net.print({ layers: [], memory: false })).toBe('');
    expect(() => net.print({ layers: ['nope'] })).toThrow("DagNN.print: layers must be names or 0-based indices (below 8) of the network's layers, got \"nope\"");
    expect(() => net.print({ figurePath: 'a.pdf' } as never)).toThrow("DagNN.print: unknown option 'figurePath'");
    expect(() => net.print({ format: 'digraph' as never })).toThrow('DagNN.print: format must be');
    expect(() => net.print({ maxNumColumns: 4 })).toThrow('DagNN.print: maxNumColumns must be given only with the transposed formats');
  });

  it("format 'ascii': MatConvNet's transposed tables, split every maxNumColumns items (print.m lines 194-220)", () => {
    const text = lenetDag(cpu32).initParams(new Rng(0)).print({ format: 'ascii', maxNumColumns: 3, parameters: ['conv1f'] });
    const tables = text.split('\n\n');
    // Field names, then one right-aligned column per layer, each cell ending in '|', a dash rule under the names.
    expect(tables[0]!.split('\n')).toEqual([
      '   func|        conv1|  pool1|        conv2|',
      '-------|-------------|-------|-------------|',
      '   type|         Conv|Pooling|         Conv|',
      ' inputs|        input|     x1|           x2|',
      'outputs|           x1|     x2|           x3|',
      ' params|conv1f conv1b|       |conv2f conv2b|',
      '    pad|            0|      0|            0|',
      ' stride|            1|      2|            1|',
    ]);
    expect(tables[2]!.split('\n')[0]).toBe('   func|        conv4|            loss|');
    expect(tables[3]!.split('\n')).toEqual([' param|  conv1f|', '------|--------|', '  dims|5x5x1x20|', '   mem|     2KB|', 'fanout|       1|']);
    // The memory table has no rule; pmem rounds to whole units (1.6MB prints as 2MB).
    expect(tables[4]!.split('\n')).toEqual(['params|2MB|', '  vars| 0B|', ' total|2MB|']);
  });

  it("formats 'latex' and 'csv' (print.m lines 222-247)", () => {
    const net = lenetDag(cpu32);
    expect(net.print({ format: 'latex', layers: ['conv1'], memory: false }).split('\n')).toEqual([
      '\\begin{tabular}{cc}',
      '   func&        conv1\\\\',
      '\\hline',
      '   type&         Conv\\\\',
      ' inputs&        input\\\\',
      'outputs&           x1\\\\',
      ' params&conv1f conv1b\\\\',
      '    pad&            0\\\\',
      ' stride&            1\\\\',
      '\\end{tabular}',
    ]);
    const csv = net.print({ format: 'csv', layers: ['pool1'], memory: false }).split('\n');
    expect(csv.slice(0, 3)).toEqual(['   "func",  "pool1",', '   "type","Pooling",', ' "inputs",     "x1",']);
  });

  it('writes a Graphviz graph with variables, layers and parameters', () => {
    const dot = branchyNet(cpu32).print({ format: 'dot', inputSizes: { x: [2, 4, 4, 2] } });
    expect(dot.startsWith('digraph DagNN {')).toBe(true);
    expect(dot).toContain('"var:c" [shape=ellipse, label="c\\n4×4×6×2"];');
    expect(dot).toContain('"param:wf" -> "layer:convA";');
    expect(dot).toContain('"param:wf" -> "layer:convB";');
    expect(dot).toContain('"layer:cat" -> "var:c";');
    expect(dot.trim().endsWith('}')).toBe(true);
  });
});
