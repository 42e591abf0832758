/**
 * Packs the public packages and installs the tarballs into an empty project
 * outside the workspace, with no registry: each tarball is unpacked into
 * node_modules/@convnet-ts/<name>, and each third-party dependency it
 * declares is linked to the copy pnpm installed for that package in the
 * workspace (its own dependencies sit beside it in pnpm's store, so Node
 * resolves them from there).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, realpathSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { PackageJson, PublicPackage } from './public-packages.js';

export interface Packed {
  pkg: PublicPackage;
  tarball: string;
  files: string[];
}

const run = { stdio: 'pipe', encoding: 'utf8', timeout: 120_000 } as const;

/** `pnpm pack` (which writes the published package.json: `workspace:` ranges replaced). */
export function pack(pkg: PublicPackage, into: string): Packed {
  const out = execFileSync('pnpm', ['pack', '--json', '--pack-destination', into], { ...run, cwd: pkg.path });
  const json = JSON.parse(out.slice(out.indexOf('{'))) as { filename: string; files: { path: string }[] };
  return { pkg, tarball: json.filename, files: json.files.map((f) => f.path).sort() };
}

/** Installs `packed` into `app` (created with a package.json of `type`). */
export function install(app: string, packed: Packed[], type: 'module' | 'commonjs' = 'module'): void {
  const modules = join(app, 'node_modules');
  mkdirSync(join(modules, '@convnet-ts'), { recursive: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type }));
  for (const { pkg, tarball } of packed) {
    const scratch = join(app, '.unpack', pkg.dir);
    mkdirSync(scratch, { recursive: true });
    execFileSync('tar', ['-xzf', tarball, '-C', scratch], run);
    renameSync(join(scratch, 'package'), join(modules, '@convnet-ts', pkg.dir));
  }
  for (const { pkg } of packed) {
    const json = JSON.parse(readFileSync(join(modules, '@convnet-ts', pkg.dir, 'package.json'), 'utf8')) as PackageJson;
    const deps = { ...json.dependencies, ...json.optionalDependencies, ...json.peerDependencies };
    for (const dep of Object.keys(deps)) {
      if (dep.startsWith('@convnet-ts/')) continue;
      const target = join(modules, dep);
      const source = join(pkg.path, 'node_modules', dep);
      if (existsSync(target) || !existsSync(source)) continue;
      mkdirSync(dirname(target), { recursive: true });
      symlinkSync(realpathSync(source), target, 'dir');
    }
  }
}

/** Links a package the workspace root has (typescript's @types/node) into `app`. */
export function linkFromRoot(app: string, root: string, name: string): void {
  const target = join(app, 'node_modules', name);
  mkdirSync(dirname(target), { recursive: true });
  if (!existsSync(target)) symlinkSync(realpathSync(join(root, 'node_modules', name)), target, 'dir');
}
