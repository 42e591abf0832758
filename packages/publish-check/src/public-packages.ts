/**
 * The workspace's public packages (packages/* without `"private": true`):
 * the ones a release publishes, and every one the checks here cover.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface PackageJson {
  name: string;
  version: string;
  private?: boolean;
  license?: string;
  main?: string;
  types?: string;
  exports?: Record<string, Record<string, string>>;
  files?: string[];
  scripts?: Record<string, string>;
  publishConfig?: { access?: string };
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  repository?: { type: string; url: string; directory?: string };
  homepage?: string;
  bugs?: { url: string };
  keywords?: string[];
  author?: string;
}

export interface PublicPackage {
  /** The folder under packages/. */
  dir: string;
  path: string;
  json: PackageJson;
}

export function publicPackages(): PublicPackage[] {
  const root = join(ROOT, 'packages');
  return readdirSync(root)
    .map((dir) => ({ dir, path: join(root, dir) }))
    .flatMap(({ dir, path }) => {
      let text: string;
      try {
        text = readFileSync(join(path, 'package.json'), 'utf8');
      } catch {
        return [];
      }
      const json = JSON.parse(text) as PackageJson;
      return json.private === true ? [] : [{ dir, path, json }];
    })
    .sort((a, b) => a.dir.localeCompare(b.dir));
}
