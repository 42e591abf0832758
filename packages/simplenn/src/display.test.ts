import { NO_FIELD } from '@convnet-ts/geometry';
import { describe, expect, it } from 'vitest';
import { display, formatBytes } from './display.js';
import { cpu32, lenet, randn } from './test-nets.js';

describe('display', () => {
  it('LeNet: receptive fields, sizes and memory', () => {
    const info = display(lenet(cpu32));
    const col = (c: 'data size' | 'rf size' | 'rf stride' | 'rf offset' | 'data depth' | 'support' | 'type') => info.rows.map((r) => r.cells[c]);
    expect(col('data size')).toEqual(['28', '24', '12', '8', '4', '1', '1', '1', '1']);
    expect(col('data depth')).toEqual(['1', '20', '20', '50', '50', '500', '500', '10', '1']);
    expect(col('rf size')).toEqual(['1', '5', '6', '14', '16', '28', '28', '28', 'n/a']);
    expect(col('rf stride')).toEqual(['1', '1', '2', '2', '4', '4', '4', '4', 'n/a']);
    expect(col('rf offset')[7]).toBe('14.5');
    expect(col('support')).toEqual(['n/a', '5', '2', '5', '2', '4', '1', '1', '1']);
    expect(col('type')).toEqual(['input', 'conv', 'mpool', 'conv', 'mpool', 'conv', 'relu', 'conv', 'softmaxloss']);
    expect(info.rows[8]!.field).toBe(NO_FIELD);
    expect(info.parameterCount).toBe(500 + 20 + 25000 + 50 + 400000 + 500 + 5000 + 10);
    expect(info.rows[1]!.cells['param mem']).toBe('2.0KB');
    expect(info.rows[1]!.cells['data mem']).toBe(formatBytes(24 * 24 * 20 * 4));
    // Header and row text.
    const lines = info.text.split('\n');
    expect(lines[0]).toMatch(/^layer \|\s+name \|\s+type \| support \| filt dim \| num filts \|/);
    expect(lines[7]).toMatch(/^\s+5 \|\s+conv3 \|\s+conv \|\s+4 \|\s+50 \|\s+500 \|\s+1 \|\s+1 \|\s+0 \|\s+28 \|\s+14.5 \|\s+4 \|\s+1 \|\s+500 \|\s+1 \|/);
    expect(info.text).toContain('parameter memory: 1.6MB (431080 parameters)');
    expect(info.text).toContain('data memory: 79KB (for batch size 1)');
  });

  it('batchSize overrides N; without an input size, sizes are n/a but fields are known', () => {
    expect(display(lenet(cpu32), { batchSize: 4 }).rows[1]!.cells['data num']).toBe('4');
    const net = { layers: lenet(cpu32).layers };
    const info = display(net);
    expect(info.rows[5]!.cells['data size']).toBe('n/a');
    expect(info.rows[5]!.cells['rf size']).toBe('28');
    expect(info.dataBytes).toBeUndefined();
    expect(() => display(net, { inputSize: [28, 28, 1] })).toThrow('display: inputSize must be [N, H, W, C] of positive integers, got [28, 28, 1]');
  });

  it('sizes convolution transpose with its own formula (fix of vl_simplenn_display)', () => {
    const net = {
      layers: [
        { type: 'conv' as const, weights: [randn(cpu32, [4, 4, 3, 8], 1), null] as const, stride: 2, pad: 1 },
        { type: 'convt' as const, weights: [randn(cpu32, [4, 4, 2, 8], 2)] as const, upsample: 2, crop: 1, numGroups: 2 },
      ],
    };
    const info = display(net, { inputSize: [1, 16, 16, 3] });
    const row = info.rows[2]!.cells;
    expect([row['data size'], row['data depth'], row['rf size'], row['rf stride'], row['rf offset']]).toEqual(['16', '4', '7', '1', '1']);
    expect([row.support, row['filt dim'], row['num filts'], row.stride, row.pad]).toEqual(['4', '4', '4', '↑2', 'crop 1']);
    expect(info.rows[1]!.cells['data size']).toBe('8');
  });
});
