/**
 * `@convnet-ts/train` for Node: the same API, with checkpoints and plots
 * (`expDir`, `saveCheckpoint`, `loadCheckpoint`, `newestCheckpoint`) on
 * Node's file system. Node resolves `@convnet-ts/train` to this entry (the
 * "node" export condition); bundles for browsers get the main entry, which
 * imports no `node:` module.
 */
import { useFileSystem } from './files.js';

useFileSystem(() => import('node:fs/promises'));

export * from './index.js';
