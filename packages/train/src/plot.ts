/**
 * The training plot (cnn_train's `net-train.pdf`, one panel per statistic):
 * an SVG with one panel for the objective and one per error, each showing
 * train (blue) and val (orange) per epoch. Written by hand as a string: no
 * plotting dependency, viewable in any browser.
 */
import type { EpochStats, PassStats } from './stats.js';

const W = 320;
const H = 240;
const M = { left: 52, right: 12, top: 28, bottom: 36 };
const COLORS = { train: '#1f77b4', val: '#ff7f0e' } as const;

const fmt = (v: number): string => (Math.abs(v) >= 100 || v === 0 ? v.toFixed(0) : v.toPrecision(3));
const escapeXml = (s: string): string => s.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);

function statOf(s: PassStats | null, key: string): number | null {
  if (!s) return null;
  const v = key === 'objective' ? s.objective : s.errors[key];
  return v !== undefined && Number.isFinite(v) ? v : null;
}

function panel(stats: readonly EpochStats[], key: string, x0: number): string {
  const series = (['train', 'val'] as const).map((mode) => ({
    mode,
    points: stats.flatMap((e) => {
      const v = statOf(e[mode], key);
      return v === null ? [] : [[e.epoch, v] as const];
    }),
  }));
  const all = series.flatMap((s) => s.points);
  const e0 = Math.min(...stats.map((e) => e.epoch));
  const e1 = Math.max(...stats.map((e) => e.epoch), e0 + 1);
  let lo = Math.min(0, ...all.map((p) => p[1]));
  let hi = Math.max(...all.map((p) => p[1]), lo + 1e-9);
  if (!all.length) [lo, hi] = [0, 1];
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const sx = (e: number) => x0 + M.left + ((e - e0) / (e1 - e0)) * pw;
  const sy = (v: number) => M.top + ph - ((v - lo) / (hi - lo)) * ph;
  const out = [
    `<text x="${x0 + W / 2}" y="18" text-anchor="middle" font-weight="bold">${escapeXml(key)}</text>`,
    `<rect x="${x0 + M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#888"/>`,
    `<text x="${x0 + M.left - 4}" y="${M.top + 4}" text-anchor="end">${fmt(hi)}</text>`,
    `<text x="${x0 + M.left - 4}" y="${M.top + ph}" text-anchor="end">${fmt(lo)}</text>`,
    `<text x="${x0 + M.left}" y="${H - 20}" text-anchor="middle">${e0}</text>`,
    `<text x="${x0 + M.left + pw}" y="${H - 20}" text-anchor="middle">${e1}</text>`,
    `<text x="${x0 + M.left + pw / 2}" y="${H - 6}" text-anchor="middle">epoch</text>`,
  ];
  for (const s of series) {
    if (!s.points.length) continue;
    const pts = s.points.map(([e, v]) => `${sx(e).toFixed(1)},${sy(v).toFixed(1)}`);
    out.push(`<polyline class="${s.mode}" fill="none" stroke="${COLORS[s.mode]}" stroke-width="2" points="${pts.join(' ')}"/>`);
    for (const p of pts) {
      const [cx, cy] = p.split(',');
      out.push(`<circle cx="${cx}" cy="${cy}" r="2.5" fill="${COLORS[s.mode]}"/>`);
    }
  }
  return out.join('\n');
}

/** The SVG of objective and errors per epoch (train and val). */
export function plotSvg(stats: readonly EpochStats[]): string {
  const keys = ['objective', ...new Set(stats.flatMap((e) => [...Object.keys(e.train.errors), ...Object.keys(e.val?.errors ?? {})]))];
  const width = W * keys.length;
  const legend = (['train', 'val'] as const)
    .map((m, i) => `<rect x="${8 + i * 60}" y="${H + 4}" width="12" height="12" fill="${COLORS[m]}"/><text x="${24 + i * 60}" y="${H + 14}">${m}</text>`)
    .join('');
  const body = stats.length ? keys.map((k, i) => panel(stats, k, i * W)).join('\n') : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${H + 22}" font-family="sans-serif" font-size="11">\n<rect width="100%" height="100%" fill="white"/>\n${body}\n${legend}\n</svg>\n`;
}
