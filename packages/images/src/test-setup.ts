/** Points every reader of the tests at the worker bundled by `test-worker-bundle.ts`. */
import { inject } from 'vitest';
import { setDefaultWorkerUrl } from './node.js';

setDefaultWorkerUrl(inject('workerBundle'));
