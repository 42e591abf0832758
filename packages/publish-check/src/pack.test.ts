import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { install, linkFromRoot, type Packed, pack } from './install.js';
import { publicPackages, ROOT } from './public-packages.js';
import { extractExample, installLine, printed, README_EXAMPLES } from './readme-examples.js';

/**
 * Every public package as a user gets it: packed with `pnpm pack`, unpacked
 * into a project outside the workspace, then imported, required, type-checked
 * and bundled there. Needs the packages built (turbo builds them before this
 * package's tests: they are its devDependencies).
 */
const packages = publicPackages();
const scratch = mkdtempSync(join(tmpdir(), 'convnet-ts-publish-check-'));
const app = join(scratch, 'app');
const run = { stdio: 'pipe', encoding: 'utf8', timeout: 180_000 } as const;
const require = createRequire(import.meta.url);
let packed: Packed[] = [];

beforeAll(() => {
  const unbuilt = packages.filter((p) => !existsSync(join(p.path, 'dist', 'index.js'))).map((p) => p.json.name);
  expect(unbuilt, 'packages without dist/ (build them: turbo run build)').toEqual([]);
  mkdirSync(join(scratch, 'tarballs'));
  packed = packages.map((p) => pack(p, join(scratch, 'tarballs')));
  install(app, packed);
  linkFromRoot(app, ROOT, '@types/node');
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs `code` as a file of `app` and returns what it printed. */
function node(file: string, code: string): string {
  writeFileSync(join(app, file), code);
  return execFileSync(process.execPath, [file], { ...run, cwd: app });
}

describe('the packed packages', () => {
  it('hold the built JavaScript, its types and the README: no sources, tests or fixtures', () => {
    for (const { pkg, files } of packed) {
      const where = pkg.json.name;
      expect(files, where).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json', 'dist/index.js', 'dist/index.d.ts']));
      const stray = files.filter(
        (f) => !(f === 'README.md' || f === 'package.json' || f === 'LICENSE' || f.startsWith('dist/')) || /\.test\.|(^|\/)test-|fixtures\//.test(f),
      );
      expect({ where, stray }).toEqual({ where, stray: [] });
      // tsc never deletes: a module whose source was moved or removed stays in dist/ until dist/ is deleted.
      const stale = files.filter((f) => /^dist\/.*\.js$/.test(f) && !existsSync(join(pkg.path, f.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts'))));
      expect({ where, stale }, 'built from sources that are gone: delete dist/ and build again').toEqual({ where, stale: [] });
      for (const target of Object.values(pkg.json.exports ?? {}).flatMap((c) => Object.values(c))) {
        expect(files, `${where}: exports names ${target}`).toContain(target.replace(/^\.\//, ''));
      }
    }
  });

  it('carry their TypeScript in the source maps (sourcesContent), and no declaration maps pointing at unshipped sources', () => {
    for (const { pkg, files } of packed) {
      const where = pkg.json.name;
      expect({ where, declarationMaps: files.filter((f) => f.endsWith('.d.ts.map')) }).toEqual({ where, declarationMaps: [] });
      const maps = files.filter((f) => f.endsWith('.js.map'));
      expect(maps.length, `${where}: source maps`).toBeGreaterThan(0);
      for (const file of maps) {
        const map = JSON.parse(readFileSync(join(app, 'node_modules', '@convnet-ts', pkg.dir, file), 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[] };
        const missing = map.sources.filter((_, i) => typeof map.sourcesContent?.[i] !== 'string' || map.sourcesContent[i] === '');
        expect({ file: `${where}/${file}`, missing }).toEqual({ file: `${where}/${file}`, missing: [] });
      }
    }
  });

  it('declare published ranges, not workspace: ones', () => {
    for (const { pkg } of packed) {
      const text = readFileSync(join(app, 'node_modules', '@convnet-ts', pkg.dir, 'package.json'), 'utf8');
      expect({ name: pkg.json.name, workspace: text.includes('workspace:') }).toEqual({ name: pkg.json.name, workspace: false });
    }
  });

  it('load with require() from CommonJS (Node ≥ 20.19 requires ES modules without top-level await)', () => {
    const names = packages.map((p) => p.json.name);
    const out = node(
      'require.cjs',
      `const g = require('@convnet-ts/geometry');
const t = require('@convnet-ts/tensor');
const loaded = ${JSON.stringify(names)}.filter((n) => Object.keys(require(n)).length > 0);
console.log(JSON.stringify({ size: g.convOutputSize(28, { size: 5 }), version: t.VERSION, brand: typeof t.isTensor, loaded }));
`,
    );
    expect(JSON.parse(out)).toEqual({ size: [24, 24], version: packages.find((p) => p.dir === 'tensor')!.json.version, brand: 'function', loaded: names });
  });

  it('type-check in a strict consumer (skipLibCheck false) under moduleResolution node16 and bundler', () => {
    const entries = packages.flatMap((p) => Object.keys(p.json.exports ?? {}).map((sub) => (sub === '.' ? p.json.name : `${p.json.name}${sub.slice(1)}`)));
    writeFileSync(join(app, 'consumer.ts'), `${entries.map((e, i) => `import * as m${i} from '${e}';`).join('\n')}\nexport const all = [${entries.map((_, i) => `m${i}`).join(', ')}];\n`);
    const tsc = require.resolve('typescript/bin/tsc');
    const base = ['--noEmit', '--strict', '--skipLibCheck', 'false', '--target', 'es2022', '--lib', 'es2022,dom', '--types', 'node', 'consumer.ts'];
    for (const mode of [
      ['--module', 'node16', '--moduleResolution', 'node16'],
      ['--module', 'esnext', '--moduleResolution', 'bundler'],
    ]) {
      let errors = '';
      try {
        execFileSync(process.execPath, [tsc, ...mode, ...base], { ...run, cwd: app });
      } catch (e) {
        errors = String((e as { stdout?: string }).stdout);
      }
      expect({ mode: mode[3], errors }).toEqual({ mode: mode[3], errors: '' });
    }
  });

  it('@convnet-ts/train bundles for browsers (no node: import in its main entry), and Node gets its /node entry', async () => {
    const esbuild = await import('esbuild');
    writeFileSync(join(app, 'browser.js'), "import { train, ArrayBatchSource } from '@convnet-ts/train';\nconsole.log(train, ArrayBatchSource);\n");
    const result = await esbuild.build({ entryPoints: [join(app, 'browser.js')], bundle: true, platform: 'browser', format: 'esm', write: false, logLevel: 'silent', absWorkingDir: app, metafile: true });
    expect(result.errors).toEqual([]);
    expect(result.outputFiles[0]!.text).not.toMatch(/["']node:/);
    // train depends on dagnn (dagNNAdapter, lossStats) rather than taking it as an optional peer: its other dependencies
    // are train's already, and a SimpleNN trainer's bundle holds none of it.
    const bundled = Object.entries(Object.values(result.metafile.outputs)[0]!.inputs).filter(([, i]) => i.bytesInOutput > 0).map(([f]) => f);
    expect(bundled.filter((f) => f.includes('@convnet-ts/dagnn/'))).toEqual([]);
    expect(bundled.filter((f) => f.includes('@convnet-ts/simplenn/')).length).toBeGreaterThan(0);
    const out = node('node-entry.mjs', "console.log(import.meta.resolve('@convnet-ts/train').endsWith('/dist/node.js'));\n");
    expect(out.trim()).toBe('true');
  });
});

/**
 * Each README's example, run with node from a project that holds only the
 * packages its `npm install` lines name, plus their dependencies (not their
 * peers: an install line must name them).
 */
describe('the README examples, run from the tarballs', () => {
  it.each(README_EXAMPLES.map((e) => [`${e.dir}${e.heading ? ` (${e.heading})` : ''}`, e] as const))('%s', (_, example) => {
    const pkg = packages.find((p) => p.dir === example.dir)!;
    const readme = readFileSync(join(pkg.path, 'README.md'), 'utf8');
    const { code, claims } = extractExample(readme, example);
    const named = installLine(readme, example.dir);
    const ours = new Set(named.filter((n) => n.startsWith('@convnet-ts/')));
    for (let grew = true; grew; ) {
      grew = false;
      for (const p of packed.filter((q) => ours.has(q.pkg.json.name))) {
        for (const dep of Object.keys(p.pkg.json.dependencies ?? {}).filter((d) => d.startsWith('@convnet-ts/') && !ours.has(d))) {
          ours.add(dep);
          grew = true;
        }
      }
    }
    const dir = join(scratch, 'examples', `${example.dir}-${example.heading ?? 'first'}`.replace(/[^\w-]+/g, '-'));
    install(dir, packed.filter((p) => ours.has(p.pkg.json.name)));
    for (const other of named.filter((n) => !n.startsWith('@convnet-ts/'))) linkFromRoot(dir, pkg.path, other);
    for (const [name, from] of Object.entries(example.files ?? {})) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      copyFileSync(join(ROOT, from), join(dir, name));
    }
    writeFileSync(join(dir, 'example.mjs'), code);
    let out: string;
    try {
      out = execFileSync(process.execPath, ['example.mjs', ...(example.args ?? [])], { ...run, cwd: dir });
    } catch (e) {
      const { stdout, stderr } = e as { stdout?: string; stderr?: string };
      throw new Error(`packages/${example.dir}/README.md example failed with only ${[...ours].join(', ')} installed:\n${stderr}\n${stdout}`);
    }
    for (const claim of claims) expect({ claim, printed: printed(out, claim) }, out).toEqual({ claim, printed: true });
    if (example.prints) expect(out).toMatch(example.prints);
  });
});
