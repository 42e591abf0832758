import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type PackageJson, publicPackages, ROOT } from './public-packages.js';

const TENSOR = '@convnet-ts/tensor';
const packages = publicPackages();
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

  it('Changesets bumps a peer dependent only when the peer leaves its range', () => {
    const config = JSON.parse(readFileSync(join(ROOT, '.changeset', 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(config.access).toBe('public');
    expect(config.___experimentalUnsafeOptions_WILL_CHANGE_IN_PATCH).toEqual({ onlyUpdatePeerDependentsWhenOutOfRange: true });
  });
});
