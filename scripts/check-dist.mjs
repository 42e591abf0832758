#!/usr/bin/env node
// Refuses to publish a package whose built files are missing: run by every
// public package's `prepublishOnly` (after `turbo run build`) from the
// package's own folder. Checks that every file named by `main`, `types` and
// every `exports` condition exists, and that `publishConfig.access` is
// `public` for a scoped package (npm's default for scoped packages is
// restricted). Exits 1 with one line per problem.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] ?? process.cwd();
const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
const problems = [];

/** Every string target of an `exports` map, however deeply its conditions nest. */
function targets(value) {
  if (typeof value === 'string') return [value];
  if (value === null || typeof value !== 'object') return [];
  return Object.values(value).flatMap(targets);
}

const named = [pkg.main, pkg.types, ...targets(pkg.exports)].filter((f) => typeof f === 'string');
for (const file of new Set(named)) {
  if (!existsSync(join(dir, file))) problems.push(`${file} is missing (build the package first: turbo run build)`);
}
if (named.length === 0) problems.push('package.json names no entry point (main, types or exports)');
if (pkg.name?.startsWith('@') && pkg.publishConfig?.access !== 'public') {
  problems.push(`publishConfig.access must be "public" for the scoped package ${pkg.name}, got ${JSON.stringify(pkg.publishConfig?.access)}`);
}

if (problems.length > 0) {
  console.error(`check-dist: ${pkg.name} cannot be published:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  process.exit(1);
}
