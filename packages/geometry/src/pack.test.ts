import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * "npm install @convnet-ts/geometry into an empty project": build the package
 * into a scratch copy, pack it, install the tarball into an empty project
 * (it has no dependencies, so no registry is needed) and use it from plain
 * Node.js. Builds into a temporary folder, so the package's own dist/ is
 * left alone.
 */
const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
const scratch = mkdtempSync(join(tmpdir(), 'convnet-ts-geometry-pack-'));
/**
 * tsc, npm pack, npm install and a few node runs: ≈ 4 s on an idle 2-core
 * machine, but 14–68 s measured while the whole suite runs beside it (turbo
 * runs every package's tests at once), so each command gets 2 minutes and the
 * test 5: a timeout here means a hung npm, not a slow machine.
 */
const TEST_TIMEOUT_MS = 300_000;
const quiet = { stdio: 'pipe', encoding: 'utf8', timeout: 120_000 } as const;
/** The install needs no registry: no audit, no funding or update notices. */
const npmEnv = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the published package', () => {
  it('installs alone into an empty project and gives the receptive field of a conv stack', () => {
    const staged = join(scratch, 'package');
    mkdirSync(staged);
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    execFileSync(process.execPath, [tsc, '-p', join(packageDir, 'tsconfig.build.json'), '--outDir', join(staged, 'dist')], quiet);
    copyFileSync(join(packageDir, 'package.json'), join(staged, 'package.json'));
    copyFileSync(join(packageDir, 'README.md'), join(staged, 'README.md'));

    const packed = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--pack-destination', scratch], { ...quiet, cwd: staged, env: npmEnv }),
    ) as { filename: string; files: { path: string }[] }[];
    const tarball = packed[0]!;
    const files = tarball.files.map((f) => f.path);
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/index.d.ts');
    expect(files).toContain('README.md');
    expect(files.filter((f) => f.includes('.test.') || f.includes('test-util') || f.startsWith('src/'))).toEqual([]);

    const app = join(scratch, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    execFileSync('npm', ['install', join(scratch, tarball.filename)], { ...quiet, cwd: app, env: npmEnv });
    // Nothing but the package itself was installed.
    expect(readdirSync(join(app, 'node_modules')).filter((d) => !d.startsWith('.'))).toEqual(['@convnet-ts']);
    expect(readdirSync(join(app, 'node_modules', '@convnet-ts'))).toEqual(['geometry']);
    const lock = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8')) as { packages: object };
    expect(Object.keys(lock.packages)).toEqual(['', 'node_modules/@convnet-ts/geometry']);

    writeFileSync(
      join(app, 'main.js'),
      `import { compose, filterField, convOutputSize } from '@convnet-ts/geometry';
const conv5 = filterField({ size: 5 });
const pool2 = filterField({ size: 2, stride: 2 });
console.log(JSON.stringify({ rf: compose(conv5, pool2, conv5, pool2), size: convOutputSize(28, { size: 5 }) }));
`,
    );
    const out = JSON.parse(execFileSync(process.execPath, ['main.js'], { ...quiet, cwd: app }));
    expect(out).toEqual({ rf: { size: [16, 16], stride: [4, 4], offset: [8.5, 8.5] }, size: [24, 24] });

    // Every js example of the README runs against the installed package and prints what its `// →` comments say.
    const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
    const examples = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(examples.length).toBeGreaterThanOrEqual(6);
    const squeeze = (text: string) => text.replace(/\s+/g, '');
    examples.forEach((code, n) => {
      const file = `readme-${n}.mjs`;
      writeFileSync(join(app, file), code);
      const printed = execFileSync(process.execPath, [file], { ...quiet, cwd: app });
      const promised = [...code.matchAll(/^\s*\/\/ → (.*)$/gm)].map((m) => m[1]!).join('');
      expect({ example: n, printed: squeeze(printed) }).toEqual({ example: n, printed: squeeze(promised) });
    });
  }, TEST_TIMEOUT_MS);
});
