import { describe, expect, it } from 'vitest';
import { plotSvg } from './plot.js';
import type { EpochStats } from './stats.js';

/** The main job's statistics (bash scripts/run.sh mnist, 10 epochs): objective, top1err, top5err of train, then val. */
const MNIST = [
  [0.6973, 0.2107, 0.04775, 0.194, 0.0555, 0.002],
  [0.1229, 0.03587, 0.00075, 0.1089, 0.0365, 0],
  [0.06005, 0.0195, 0.00025, 0.1019, 0.033, 0.0005],
  [0.03979, 0.01275, 0.000125, 0.09458, 0.031, 0],
  [0.02126, 0.007, 0, 0.09773, 0.0295, 0],
  [0.007479, 0.001875, 0, 0.06937, 0.0195, 0],
  [0.00253, 0.000125, 0, 0.06788, 0.0185, 0],
  [0.00201, 0, 0, 0.06753, 0.018, 0],
  [0.001637, 0, 0, 0.06755, 0.0185, 0],
  [0.001567, 0, 0, 0.06781, 0.0185, 0],
];
const pass = (objective: number, top1err: number, top5err: number) => ({ num: 8000, time: 10, speed: 800, objective, errors: { top1err, top5err } });
const stats: EpochStats[] = MNIST.map((r, i) => ({ epoch: i + 1, learningRate: 0.003, train: pass(r[0]!, r[1]!, r[2]!), val: pass(r[3]!, r[4]!, r[5]!) }));

/** The panel of `stat` as its own string. */
const panelOf = (svg: string, stat: string) => new RegExp(`<g class="panel" data-stat="${stat}">[\\s\\S]*?</g>`).exec(svg)![0];
const attr = (el: string, name: string) => Number(new RegExp(` ${name}="([-\\d.]+)"`).exec(el)![1]);

describe('plotSvg', () => {
  const svg = plotSvg(stats);

  it('has a title, a legend and one panel per statistic, each with train and val lines', () => {
    expect(svg).toMatch(/^<svg [^>]*width="1140" height="324"[^>]*>\n<title>Training statistics per epoch \(epochs 1–10\)<\/title>/);
    expect(svg.match(/<g class="panel"/g)).toHaveLength(3);
    expect(svg.match(/<polyline class="train"/g)).toHaveLength(3);
    expect(svg.match(/<polyline class="val"/g)).toHaveLength(3);
    expect(svg).toContain("hollow: 0, on a log axis's bottom edge");
    expect(svg.split('<g').length).toBe(svg.split('</g>').length);
  });

  it('labels both axes, with 5–8 ticks and a grid line per tick, log scales for these values', () => {
    for (const stat of ['objective', 'top1err', 'top5err']) {
      const p = panelOf(svg, stat);
      const yticks = [...p.matchAll(/<text class="ytick"[^>]*>([^<]*)</g)].map((m) => m[1]);
      const xticks = [...p.matchAll(/<text class="xtick"[^>]*>([^<]*)</g)].map((m) => m[1]);
      expect(yticks.length).toBeGreaterThanOrEqual(5);
      expect(yticks.length).toBeLessThanOrEqual(8);
      expect(xticks).toEqual(['2', '4', '6', '8', '10']);
      expect(p.match(/class="grid"/g)).toHaveLength(yticks.length + xticks.length);
      expect(p).toContain(`>${stat} (log scale)</text>`);
      expect(p).toContain('>epoch</text>');
      expect(p).toMatch(new RegExp(`rotate\\(-90\\)" text-anchor="middle">${stat}</text>`));
    }
    expect([...panelOf(svg, 'objective').matchAll(/class="ytick"[^>]*>([^<]*)</g)].map((m) => m[1])).toEqual(['0.001', '0.003', '0.01', '0.03', '0.1', '0.3', '1']);
  });

  it('writes the last epoch’s values beside the lines and keeps the held-out error off the bottom', () => {
    const p = panelOf(svg, 'top1err');
    expect(p).toContain('>val 0.0185</text>');
    expect(p).toContain('>train 0</text>');
    expect(panelOf(svg, 'objective')).toContain('>val 0.0678</text>');
    // The val line's last point sits well inside the plot area (top 64, height 214), not squashed against an edge.
    const last = p.match(/<rect x="[-\d.]+" y="[-\d.]+" width="6" height="6"[^>]*>/g)!.at(-1)!;
    const frac = (attr(last, 'y') + 3 - 64) / 214;
    expect(frac).toBeGreaterThan(0.2);
    expect(frac).toBeLessThan(0.8);
    // Zeros are hollow markers on the bottom edge (y = 64 + 214).
    const zeros = p.match(/<circle [^>]*fill="white"[^>]*>/g)!;
    expect(zeros).toHaveLength(3);
    for (const z of zeros) expect(attr(z, 'cy')).toBe(278);
  });

  it('uses a linear axis for values within less than a decade, and copes with one epoch or none', () => {
    const flat = plotSvg([1, 2, 3].map((epoch) => ({ epoch, learningRate: 0.1, train: pass(0.5 + epoch / 100, 0.3, 0.1), val: null })));
    expect(panelOf(flat, 'objective')).toContain('>objective</text>');
    expect(flat).not.toContain('<polyline class="val"');
    expect(plotSvg(stats.slice(0, 1))).toContain('>val 0.0555</text>');
    expect(plotSvg([])).toContain('<title>Training statistics per epoch (none yet)</title>');
  });
});
