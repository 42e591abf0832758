import { Rng } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { branchyNet, cpu32, lenetDag } from './test-nets.js';

describe('DagNN.print', () => {
  it('prints layers, parameters, variables with sizes and memory', () => {
    const text = lenetDag(cpu32).initParams(new Rng(0)).print({ inputSizes: { input: [100, 28, 28, 1] } });
    expect(text).toContain('| conv1 | Conv    | input            | x1         | conv1f,conv1b |');
    expect(text).toContain('| conv3f | [4, 4, 50, 500] | 1.5MB  | 1      | 1  | 1  | gradient |');
    expect(text).toContain('| x1         | 24×24×20×100   | 4.4MB   | 1     | 1      |');
    expect(text).toContain('| objective  | [1]            | 4B      | 1     | 0      |');
    expect(text).toMatch(/Memory: parameters 1\.6MB, variables \d+\.\dMB/);
  });

  it('says when sizes are unknown and parameters unset', () => {
    const text = lenetDag(cpu32).print();
    expect(text).toContain('| conv1f | unset');
    expect(text).toContain('variables ? (give inputSizes)');
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
