// Benchmark (not a test): images/s for 64 JPEGs of 500×375 → 224×224 random crops with flips
// (cnn_imagenet's training settings, bicubic), with each decoder called directly on this thread and
// through readImages' worker pool with 1 and 2 threads. Run after `pnpm build`: node scripts/bench.mjs
import { execSync } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
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
for (let i = 0; i < N; i++) {
  const data = Buffer.alloc(500 * 375 * 4);
  let s = i + 1;
  for (let p = 0; p < 500 * 375; p++) {
    const x = p % 500, y = Math.floor(p / 500);
    s = (s * 1103515245 + 12345) >>> 0;
    for (let c = 0; c < 3; c++) data[4 * p + c] = Math.max(0, Math.min(255, 128 + 90 * Math.sin((x * (c + 1)) / 37 + y / (19 + i)) + ((s >>> 24) % 40) - 20));
    data[4 * p + 3] = 255;
  }
  const path = join(dir, `im${i}.jpg`);
  writeFileSync(path, jpeg.encode({ data, width: 500, height: 375 }, 90).data);
  paths.push(path);
}
const opts = { resize: [224, 224], cropSize: 0.875, cropLocation: 'random', flip: true, interpolation: 'bicubic', pack: true };
const spec = parseReadOptions('bench', opts).spec;
const draws = drawJitter(0, N);
const sharp = await loadSharp();
sharp.concurrency(1);

async function time(fn, reps = 3) {
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    await fn();
    best = Math.min(best, performance.now() - t);
  }
  return best;
}
const rate = (ms) => (N / (ms / 1000)).toFixed(1);
const rows = [];
for (const decoder of ['js', 'sharp']) {
  const decode = (b, p) => (decoder === 'js' ? decodeJs(b, p, true) : decodeSharp(sharp, b, p, true));
  const decodeOnly = await time(async () => { for (const p of paths) await decode(await readFile(p), p); });
  const direct = await time(async () => { for (const [i, p] of paths.entries()) transformImage(await decode(await readFile(p), p), spec, draws[i]); });
  const pool = {};
  for (const numThreads of [1, 2]) {
    const reader = await createImageReader({ numThreads, decoder });
    await reader.read(paths.slice(0, 4), opts);
    pool[numThreads] = await time(() => reader.read(paths, opts));
    reader.close();
  }
  rows.push({ decoder, decodeOnly: rate(decodeOnly), direct: rate(direct), pool1: rate(pool[1]), pool2: rate(pool[2]), overhead1: `${(100 * (pool[1] / direct - 1)).toFixed(0)} %` });
}
console.log(`CPU: ${execSync("lscpu | grep 'Model name' | sed 's/.*: *//'").toString().trim()}, ${execSync('nproc').toString().trim()} cores, Node ${process.version}; JPEG ${(statSync(paths[0]).size / 1024).toFixed(0)} KB each`);
console.table(rows);
