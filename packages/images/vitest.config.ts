import { defineConfig, mergeConfig } from 'vitest/config';
import { sharedConfig } from '../../vitest.shared.js';

export default mergeConfig(sharedConfig, defineConfig({
  test: {
    globalSetup: ['src/test-worker-bundle.ts'],
    setupFiles: ['src/test-setup.ts'],
  },
}));
