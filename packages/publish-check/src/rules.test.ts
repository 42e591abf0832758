import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type PackageJson, publicPackages, ROOT } from './public-packages.js';

const TENSOR = '@convnet-ts/tensor';
const packages = publicPackages();
const REPOSITORY = 'https://github.com/convnet-ts/convnet-ts';
const LICENSE = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
const self = JSON.parse(readFileSync(join(ROOT, 'packages', 'publish-check', 'package.json'), 'utf8')) as PackageJson;

describe('the publishing rules of every public package', () => {
  it('finds the public packages', () => {
    expect(packages.map((p) => p.json.name)).toEqual(expect.arrayContaining(['@convnet-ts/tensor', '@convnet-ts/geometry', '@convnet-ts/train']));
  });

  it.each(packages.map((p) => [p.json.name, p.json] as const))('%s: public access, built and checked before publishing', (name, json) => {
    expect(json.publishConfig?.access).toBe('public');
    expect(json.scripts?.prepublishOnly).toBe(`turbo run build --filter=${name} --output-logs=errors-only && node ../../scripts/check-dist.mjs`);
    expect(json.license).toBe('BSD-2-Clause');
    expect(json.files).toEqual(expect.arrayContaining(['dist', 'README.md']));
    // Built before this package's tests by turbo (test dependsOn ^build), so the pack test finds dist/.
    expect(self.devDependencies?.[name], `add ${name} to publish-check's devDependencies`).toBe('workspace:^');
  });

  it.each(packages.map((p) => [p.json.name, p] as const))('%s: ships the LICENSE and says where it comes from (repository, homepage, bugs, keywords, author)', (_, pkg) => {
    const { json, dir } = pkg;
    expect(json.files).toContain('LICENSE');
    expect(readFileSync(join(pkg.path, 'LICENSE'), 'utf8'), `packages/${dir}/LICENSE must be a copy of the root LICENSE`).toBe(LICENSE);
    expect(json.repository).toEqual({ type: 'git', url: `git+${REPOSITORY}.git`, directory: `packages/${dir}` });
    expect(json.homepage).toBe(`${REPOSITORY}/tree/main/packages/${dir}#readme`);
    expect(json.bugs).toEqual({ url: `${REPOSITORY}/issues` });
    expect(json.author).toBe('The convnet-ts authors');
    expect(json.keywords).toEqual(expect.arrayContaining(['matconvnet', 'typescript']));
  });

  it.each(packages.map((p) => [p.json.name, p] as const))('%s: README links and install line work on the registry', (name, pkg) => {
    const readme = readFileSync(join(pkg.path, 'README.md'), 'utf8');
    // The registry shows the README without the repository around it: only absolute links and in-page anchors resolve.
    const relative = [...readme.matchAll(/\]\(([^)\s]+)\)|\b(?:href|src)="([^"]+)"/g)].map((m) => m[1] ?? m[2]!).filter((url) => !/^(https?:|mailto:|#)/.test(url));
    expect({ name, relative }).toEqual({ name, relative: [] });
    const install = /^npm install (.+)$/m.exec(readme);
    expect(install, `${name}: README needs an "npm install" line`).not.toBeNull();
    const named = install![1]!.split(/\s+/);
    const peers = Object.keys(pkg.json.peerDependencies ?? {}).filter((p) => !pkg.json.peerDependenciesMeta?.[p]?.optional);
    expect({ name, missing: [name, ...peers].filter((p) => !named.includes(p)) }).toEqual({ name, missing: [] });
  });

  it.each(packages.map((p) => [p.json.name, p.json] as const))('%s: every export has types, import and default (so require() works)', (_, json) => {
    expect(Object.keys(json.exports ?? {})).toContain('.');
    for (const [path, conditions] of Object.entries(json.exports ?? {})) {
      expect(Object.keys(conditions)[0], `${path}: "types" must come first`).toBe('types');
      expect(conditions.import, path).toMatch(/^\.\/dist\/.*\.js$/);
      expect(conditions.default, path).toBe(conditions.import);
    }
  });

  it.each(packages.filter((p) => p.json.name !== TENSOR).map((p) => [p.json.name, p.json] as const))(
    '%s: takes @convnet-ts/tensor as a peer, so an application has one copy',
    (_, json) => {
      const uses = [json.dependencies, json.peerDependencies, json.devDependencies].some((d) => d?.[TENSOR] !== undefined);
      if (!uses) return;
      expect(json.dependencies?.[TENSOR]).toBeUndefined();
      expect(json.devDependencies?.[TENSOR]).toBe('workspace:^');
      // A range that keeps every 0.x minor of tensor, so Changesets (onlyUpdatePeerDependentsWhenOutOfRange) does not turn a tensor minor into a major here.
      expect(json.peerDependencies?.[TENSOR]).toBe('workspace:>=0.1.0 <1');
    },
  );

  it.each(packages.map((p) => [p.json.name, p] as const))('%s: every dependency it declares is imported by its published code', (name, pkg) => {
    const code = sources(join(pkg.path, 'src')).map((f) => readFileSync(f, 'utf8')).join('\n');
    const declared = Object.keys({ ...pkg.json.dependencies, ...pkg.json.peerDependencies, ...pkg.json.optionalDependencies });
    // As a module specifier (or a subpath of one), an import by name, or a triple-slash types reference; @types/x counts as x.
    const used = (dep: string) => new RegExp(`["']${dep.replace(/^@types\//, '').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(/[^"']*)?["']`).test(code);
    expect({ name, unused: declared.filter((d) => !used(d)) }).toEqual({ name, unused: [] });
  });

  it('Changesets bumps a peer dependent only when the peer leaves its range', () => {
    const config = JSON.parse(readFileSync(join(ROOT, '.changeset', 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(config.access).toBe('public');
    expect(config.___experimentalUnsafeOptions_WILL_CHANGE_IN_PATCH).toEqual({ onlyUpdatePeerDependentsWhenOutOfRange: true });
  });
});

/** The .ts files under `dir` that are published (no tests, test helpers or fixtures). */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !/\.test\.ts$|^test-/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .filter((f) => !/[\\/]fixtures[\\/]/.test(f));
}
