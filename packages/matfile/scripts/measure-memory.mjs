// Peak memory of readMat on a ~512 MB model (16 single arrays of 3×3×512×1820 (32 MiB) in
// one struct, like VGG-VD-16's 528 MB), saved -v6 and -v7.
// Run after `pnpm --filter @convnet-ts/matfile build`:
//   node packages/matfile/scripts/measure-memory.mjs
// Each file is written and read in its own child process, so one
// measurement's garbage does not count in the next; the peak is the
// process's maximum resident set size (process.resourceUsage().maxRSS).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(import.meta.url);
const MiB = 2 ** 20;
const lib = new URL('../dist/index.js', import.meta.url).href;

async function write(path, compress) {
  const { matCell, matSingle, matStruct, writeMat } = await import(lib);
  let seed = 1;
  const layers = [];
  for (let k = 0; k < 16; k++) {
    const w = new Float32Array(4608 * 1820);
    for (let i = 0; i < w.length; i++) {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      w[i] = (seed / 2 ** 32 - 0.5) * 0.02;
    }
    layers.push(matStruct({ weights: matCell([matSingle(w, [3, 3, 512, w.length / 4608])]) }));
  }
  writeFileSync(path, writeMat({ net: matStruct({ layers: matCell(layers) }) }, { compress }));
}

async function read(path) {
  const { readMat } = await import(lib);
  const base = process.memoryUsage();
  const file = readFileSync(path);
  const bytes = new Uint8Array(file.buffer, file.byteOffset, file.byteLength);
  const t0 = performance.now();
  const m = readMat(bytes);
  const ms = performance.now() - t0;
  const after = process.memoryUsage();
  const layers = m.variables[0].value.data[0].layers.data;
  const sum = layers.reduce((s, l) => s + l.data[0].weights.data[0].data.length, 0);
  console.log(JSON.stringify({ ms, values: sum, baseRss: base.rss, maxRss: process.resourceUsage().maxRSS * 1024, arrayBuffers: after.arrayBuffers, external: after.external }));
}

const [mode, path, arg] = process.argv.slice(2);
if (mode === 'write') await write(path, arg === 'true');
else if (mode === 'read') await read(path);
else {
  const dir = mkdtempSync(join(tmpdir(), 'matfile-mem-'));
  const model = execFileSync('sh', ['-c', "lscpu | sed -n 's/^Model name: *//p' | head -1"]).toString().trim() || cpus()[0].model;
  console.log(`machine: ${model}, ${cpus().length} cores, node ${process.version}`);
  console.log('| file | size | readMat time | peak RSS − RSS before | ÷ file size | arrayBuffers after | ÷ file size |');
  console.log('|---|---|---|---|---|---|---|');
  for (const compress of [false, true]) {
    const path = join(dir, compress ? 'v7.mat' : 'v6.mat');
    execFileSync(process.execPath, [here, 'write', path, String(compress)], { stdio: 'inherit' });
    const size = statSync(path).size;
    const r = JSON.parse(execFileSync(process.execPath, [here, 'read', path]).toString());
    const peak = r.maxRss - r.baseRss;
    console.log(`| ${compress ? '-v7' : '-v6'} | ${(size / MiB).toFixed(0)} MiB | ${(r.ms / 1000).toFixed(2)} s | ${(peak / MiB).toFixed(0)} MiB | ${(peak / size).toFixed(2)} | ${(r.arrayBuffers / MiB).toFixed(0)} MiB | ${(r.arrayBuffers / size).toFixed(2)} |`);
    rmSync(path);
  }
  rmSync(dir, { recursive: true });
}
