import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { install, linkFromRoot, type Packed, pack } from './install.js';
import { publicPackages, ROOT } from './public-packages.js';

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
      expect(files, where).toEqual(expect.arrayContaining(['README.md', 'package.json', 'dist/index.js', 'dist/index.d.ts']));
      const stray = files.filter(
        (f) => !(f === 'README.md' || f === 'package.json' || f === 'LICENSE' || f.startsWith('dist/')) || /\.test\.|(^|\/)test-|fixtures\//.test(f),
      );
      expect({ where, stray }).toEqual({ where, stray: [] });
      for (const target of Object.values(pkg.json.exports ?? {}).flatMap((c) => Object.values(c))) {
        expect(files, `${where}: exports names ${target}`).toContain(target.replace(/^\.\//, ''));
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
    const result = await esbuild.build({ entryPoints: [join(app, 'browser.js')], bundle: true, platform: 'browser', format: 'esm', write: false, logLevel: 'silent', absWorkingDir: app });
    expect(result.errors).toEqual([]);
    expect(result.outputFiles[0]!.text).not.toMatch(/["']node:/);
    const out = node('node-entry.mjs', "console.log(import.meta.resolve('@convnet-ts/train').endsWith('/dist/node.js'));\n");
    expect(out.trim()).toBe('true');
  });
});
