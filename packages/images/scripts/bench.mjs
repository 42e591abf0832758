// Benchmark (not a test): images/s for 64 JPEGs of 500×375 → 224×224 random crops with flips
// (cnn_imagenet's training settings, bicubic), with each decoder called directly on this thread
// (decode only; decode + crop/resize/flip) and through readImages' worker pool with 1 and 2 threads.
// The variants are interleaved (one of each per round, ROUNDS rounds, default 5) and the medians
// reported, so load from other processes falls on all of them alike; besides wall-clock images/s,
// the process's CPU time per image (all its threads), which other processes' load disturbs less.
// Run after `pnpm build`: node scripts/bench.mjs
import { execSync } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { decodeJs, decodeSharp, loadSharp } from '../dist/node-decode.js';
import { drawJitter } from '../dist/jitter.js';
import { createImageReader } from '../dist/node.js';
import { parseReadOptions } from '../dist/options.js';
import { transformImage } from '../dist/transform.js';

const N = 64;
const dir = mkdtempSync(join(tmpdir(), 'images-bench-'));
const paths = [];
// PHOTOS=dir: the JPEGs are 500×375 crops (at 64 different places) of the photos in dir, quality 90;
// otherwise a synthetic pattern with noise.
const photos = process.env.PHOTOS ? readdirSync(process.env.PHOTOS).filter((f) => /\.(png|jpe?g)$/i.test(f)).sort().map((f) => join(process.env.PHOTOS, f)) : [];
const sharpForPhotos = photos.length > 0 ? await loadSharp() : null;
for (let i = 0; i < N; i++) {
  const path = join(dir, `im${i}.jpg`);
  if (sharpForPhotos) {
    const cover = await sharpForPhotos(photos[i % photos.length]).resize(560, 420, { fit: 'cover' }).toBuffer();
    writeFileSync(path, await sharpForPhotos(cover).extract({ left: (i * 7) % 60, top: (i * 5) % 45, width: 500, height: 375 }).jpeg({ quality: 90 }).toBuffer());
    paths.push(path);
    continue;
  }
  const data = Buffer.alloc(500 * 375 * 4);
  let s = i + 1;
  for (let p = 0; p < 500 * 375; p++) {
    const x = p % 500, y = Math.floor(p / 500);
    s = (s * 1103515245 + 12345) >>> 0;
    for (let c = 0; c < 3; c++) data[4 * p + c] = Math.max(0, Math.min(255, 128 + 90 * Math.sin((x * (c + 1)) / 37 + y / (19 + i)) + ((s >>> 24) % 40) - 20));
    data[4 * p + 3] = 255;
  }
  writeFileSync(path, jpeg.encode({ data, width: 500, height: 375 }, 90).data);
  paths.push(path);
}
const opts = { resize: [224, 224], cropSize: 0.875, cropLocation: 'random', flip: true, interpolation: 'bicubic', pack: true };
const spec = parseReadOptions('bench', opts).spec;
const draws = drawJitter(0, N);
const sharp = await loadSharp();
sharp.concurrency(1);

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const rate = (ms) => (N / (ms / 1000)).toFixed(1);
const rows = [];
for (const decoder of ['js', 'sharp']) {
  const decode = (b, p) => (decoder === 'js' ? decodeJs(b, p, true) : decodeSharp(sharp, b, p, true));
  const readers = {};
  for (const numThreads of [1, 2]) {
    readers[numThreads] = await createImageReader({ numThreads, decoder });
    await readers[numThreads].read(paths.slice(0, 8), opts); // workers started and warm
  }
  const variants = {
    decodeOnly: async () => { for (const p of paths) await decode(await readFile(p), p); },
    direct: async () => { for (const [i, p] of paths.entries()) transformImage(await decode(await readFile(p), p), spec, draws[i]); },
    pool1: () => readers[1].read(paths, opts),
    pool2: () => readers[2].read(paths, opts),
  };
  const ms = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  const cpu = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const [k, fn] of Object.entries(variants)) {
      const t = performance.now();
      const c = process.cpuUsage();
      await fn();
      const used = process.cpuUsage(c);
      ms[k].push(performance.now() - t);
      // CPU seconds of the whole process (this thread, the workers, libuv's threads): what the work costs, whatever else the cores run
      cpu[k].push((used.user + used.system) / 1000);
    }
  }
  for (const reader of Object.values(readers)) reader.close();
  const m = Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, median(v)]));
  rows.push({
    decoder,
    'decode only': rate(m.decodeOnly),
    'decode+crop': rate(m.direct),
    'pool 1 thread': rate(m.pool1),
    'pool 2 threads': rate(m.pool2),
    'overhead 1T vs decode+crop': `${(100 * (m.pool1 / m.direct - 1)).toFixed(0)} %`,
    'CPU ms/image decode+crop': (median(cpu.direct) / N).toFixed(1),
    'CPU ms/image pool 1T': (median(cpu.pool1) / N).toFixed(1),
    'CPU ms/image pool 2T': (median(cpu.pool2) / N).toFixed(1),
    'CPU overhead 1T': `${(100 * (median(cpu.pool1) / median(cpu.direct) - 1)).toFixed(0)} %`,
    'spread (max/min, pool 1T)': (Math.max(...ms.pool1) / Math.min(...ms.pool1)).toFixed(2),
  });
}
const load = execSync('cat /proc/loadavg').toString().split(' ').slice(0, 3).join(' ');
console.log(`CPU: ${execSync("lscpu | grep 'Model name' | sed 's/.*: *//'").toString().trim()}, ${execSync('nproc').toString().trim()} cores, Node ${process.version}; JPEGs ${photos.length > 0 ? `cut from ${photos.length} photos` : 'synthetic'}, ${(statSync(paths[0]).size / 1024).toFixed(0)} KB the first; ${ROUNDS} interleaved rounds, medians; load average after: ${load}`);
console.table(rows);
