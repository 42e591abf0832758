/**
 * The training plot (cnn_train's `net-train.pdf`, one panel per statistic):
 * an SVG with a panel for the objective and one per error, train (blue,
 * circles) and val (orange, squares) per epoch. Each panel has labelled
 * axes, 5–8 ticks with grid lines (`plot-scale.ts`), a log scale for the
 * values when they span enough for 5 ticks (zeros, which a log axis cannot
 * show, are drawn hollow on its bottom edge), and the last epoch's values
 * written beside the lines' ends. Written as a string, synchronously, with
 * no dependency: it is redrawn after every epoch, in Node and in browsers.
 */
import { epochScale, formatTick, type Scale, valueScale } from './plot-scale.js';
import type { EpochStats, PassStats } from './stats.js';

const PW = 380;
const PH = 290;
const HEADER = 34;
const M = { left: 62, right: 92, top: 30, bottom: 46 };
const COLORS = { train: '#1f77b4', val: '#e6550d' } as const;
const MODES = ['train', 'val'] as const;
type Mode = (typeof MODES)[number];

const escapeXml = (s: string): string => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
const f1 = (v: number): string => v.toFixed(1);

function statOf(s: PassStats | null, key: string): number | null {
  if (!s) return null;
  const v = key === 'objective' ? s.objective : s.errors[key];
  return v !== undefined && Number.isFinite(v) ? v : null;
}

/** A value as the annotation shows it: 3 significant digits, `0` for zero. */
const annotation = (v: number): string => (v === 0 ? '0' : Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4 ? String(Number(v.toPrecision(3))) : v.toExponential(2));

function marker(mode: Mode, x: number, y: number, hollow: boolean): string {
  const fill = hollow ? 'white' : COLORS[mode];
  return mode === 'train'
    ? `<circle cx="${f1(x)}" cy="${f1(y)}" r="3" fill="${fill}" stroke="${COLORS[mode]}" stroke-width="1.5"/>`
    : `<rect x="${f1(x - 3)}" y="${f1(y - 3)}" width="6" height="6" fill="${fill}" stroke="${COLORS[mode]}" stroke-width="1.5"/>`;
}

/** Spreads label positions (sorted by y) at least `gap` apart, within [top, bottom]. */
function spread(ys: number[], gap: number, top: number, bottom: number): number[] {
  const out = [...ys];
  for (let i = 1; i < out.length; i++) out[i] = Math.max(out[i]!, out[i - 1]! + gap);
  const over = out.length > 0 ? out[out.length - 1]! - bottom : 0;
  if (over > 0) for (let i = 0; i < out.length; i++) out[i] = out[i]! - over;
  for (let i = 0; i < out.length; i++) out[i] = Math.max(out[i]!, top + i * gap);
  return out;
}

function panel(stats: readonly EpochStats[], key: string, x0: number): { svg: string; zeros: boolean } {
  const series = MODES.map((mode) => ({
    mode,
    points: stats.flatMap((e) => {
      const v = statOf(e[mode], key);
      return v === null ? [] : [{ epoch: e.epoch, v }];
    }),
  }));
  const values = series.flatMap((s) => s.points.map((p) => p.v));
  const positive = values.filter((v) => v > 0);
  const logWanted = positive.length > 0 && values.every((v) => v >= 0);
  const lo = logWanted ? Math.min(...positive) : Math.min(0, ...values);
  const hi = values.length > 0 ? Math.max(...values) : 1;
  const y: Scale = valueScale(lo, hi, logWanted);
  const x = epochScale(Math.min(...stats.map((e) => e.epoch)), Math.max(...stats.map((e) => e.epoch)));
  const left = x0 + M.left;
  const top = HEADER + M.top;
  const w = PW - M.left - M.right;
  const h = PH - M.top - M.bottom;
  const px = (e: number) => left + x.at(e) * w;
  /** Zeros on a log axis sit on its bottom edge. */
  const py = (v: number) => top + h - (y.log && v <= 0 ? 0 : Math.min(1, Math.max(0, y.at(v)))) * h;
  const title = `${key}${y.log ? ' (log scale)' : ''}`;
  const out = [`<g class="panel" data-stat="${escapeXml(key)}">`, `<text x="${x0 + M.left + w / 2}" y="${HEADER + 18}" text-anchor="middle" font-weight="bold" font-size="13">${escapeXml(title)}</text>`];
  for (const t of y.ticks) {
    const ty = f1(py(t));
    out.push(`<line class="grid" x1="${left}" x2="${left + w}" y1="${ty}" y2="${ty}" stroke="#e3e3e3"/>`);
    out.push(`<text class="ytick" x="${left - 6}" y="${ty}" dy="0.32em" text-anchor="end">${formatTick(t)}</text>`);
  }
  for (const t of x.ticks) {
    const tx = f1(px(t));
    out.push(`<line class="grid" x1="${tx}" x2="${tx}" y1="${top}" y2="${top + h}" stroke="#e3e3e3"/>`);
    out.push(`<text class="xtick" x="${tx}" y="${top + h + 16}" text-anchor="middle">${t}</text>`);
  }
  out.push(`<rect x="${left}" y="${top}" width="${w}" height="${h}" fill="none" stroke="#777"/>`);
  out.push(`<text x="${left + w / 2}" y="${top + h + 36}" text-anchor="middle">epoch</text>`);
  out.push(`<text transform="translate(${x0 + 16},${top + h / 2}) rotate(-90)" text-anchor="middle">${escapeXml(key)}</text>`);
  const ends: { mode: Mode; v: number; y: number }[] = [];
  for (const s of series) {
    if (s.points.length === 0) continue;
    const pts = s.points.map((p) => `${f1(px(p.epoch))},${f1(py(p.v))}`).join(' ');
    out.push(`<polyline class="${s.mode}" fill="none" stroke="${COLORS[s.mode]}" stroke-width="2" points="${pts}"/>`);
    for (const p of s.points) out.push(marker(s.mode, px(p.epoch), py(p.v), y.log && p.v <= 0));
    const last = s.points[s.points.length - 1]!;
    ends.push({ mode: s.mode, v: last.v, y: py(last.v) });
  }
  ends.sort((a, b) => a.y - b.y);
  const labelY = spread(ends.map((e) => e.y), 14, top + 6, top + h);
  ends.forEach((e, i) => {
    out.push(
      `<text class="final ${e.mode}" x="${left + w + 8}" y="${f1(labelY[i]!)}" dy="0.32em" fill="${COLORS[e.mode]}" font-weight="bold">${e.mode} ${annotation(e.v)}</text>`,
    );
  });
  out.push('</g>');
  return { svg: out.join('\n'), zeros: y.log && values.includes(0) };
}

/** The SVG of objective and errors per epoch (train and val). */
export function plotSvg(stats: readonly EpochStats[]): string {
  const keys = ['objective', ...new Set(stats.flatMap((e) => [...Object.keys(e.train.errors), ...Object.keys(e.val?.errors ?? {})]))];
  const width = PW * keys.length;
  const height = HEADER + PH;
  const last = stats[stats.length - 1];
  const heading = last ? `Training statistics per epoch (epochs ${stats[0]!.epoch}–${last.epoch})` : 'Training statistics per epoch (none yet)';
  const legend = MODES.map((m, i) => {
    const lx = width - 150 + i * 70;
    return `${marker(m, lx, 17, false)}<line x1="${lx - 9}" x2="${lx + 9}" y1="17" y2="17" stroke="${COLORS[m]}" stroke-width="2"/><text x="${lx + 14}" y="17" dy="0.32em">${m}</text>`;
  }).join('\n');
  const panels = stats.length > 0 ? keys.map((k, i) => panel(stats, k, i * PW)) : [];
  const zeros = panels.some((p) => p.zeros)
    ? `<text x="${width - 170}" y="17" dy="0.32em" text-anchor="end" fill="#555">hollow: 0, on a log axis's bottom edge</text>`
    : '';
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="11">`,
    `<title>${escapeXml(heading)}</title>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="12" y="21" font-size="14" font-weight="bold">${escapeXml(heading)}</text>`,
    legend,
    zeros,
    ...panels.map((p) => p.svg),
    '</svg>',
    '',
  ].join('\n');
}
