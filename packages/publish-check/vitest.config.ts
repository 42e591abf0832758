import { defineConfig } from 'vitest/config';

// No workspace aliases: these tests use the packed packages, as users get them.
export default defineConfig({ test: { include: ['src/**/*.test.ts'], testTimeout: 300_000, hookTimeout: 300_000 } });
