/**
 * `bash scripts/run.sh mnist [options]` — the main job (mnist-job.ts).
 * A relative --exp-dir resolves against the directory the command was
 * started in (`main.ts`); the default folder is `runs/` at the repository
 * root.
 */
import { runCommand } from './main.js';
import { runMnist } from './mnist-job.js';

runCommand(runMnist);
