#!/usr/bin/env node
// After `changeset version`: copies each package's new package.json version
// into its src/identity.ts (`export const VERSION = '…'`), the version a
// package names in its own errors (@convnet-ts/tensor's two-copies error).
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', 'packages');
for (const dir of readdirSync(root)) {
  const file = join(root, dir, 'src', 'identity.ts');
  if (!existsSync(file)) continue;
  const { version } = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
  const text = readFileSync(file, 'utf8');
  const next = text.replace(/export const VERSION = '[^']*';/, `export const VERSION = '${version}';`);
  if (next === text && !text.includes(`export const VERSION = '${version}';`)) {
    console.error(`sync-versions: ${file} has no "export const VERSION = '…';" line`);
    process.exit(1);
  }
  if (next !== text) writeFileSync(file, next);
}
