import { mergeConfig } from 'vitest/config';
import { sharedConfig } from '../../vitest.shared.js';

// The tests use checkpoints on disk: install Node's file system as `@convnet-ts/train/node` does.
export default mergeConfig(sharedConfig, { test: { setupFiles: ['./src/node.ts'] } });
