/**
 * `bash scripts/run.sh imagefolder --data DIR [options]` (imagefolder-job.ts).
 * Relative --data and --exp-dir resolve against the directory the command
 * was started in (`main.ts`); the default folder is `runs/` at the
 * repository root.
 */
import { runImageFolder } from './imagefolder-job.js';
import { runCommand } from './main.js';

runCommand(runImageFolder);
