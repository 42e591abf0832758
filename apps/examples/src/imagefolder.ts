/**
 * `bash scripts/run.sh imagefolder --data DIR [options]` (imagefolder-job.ts).
 * A relative --exp-dir resolves against the directory the command was
 * started in (`CONVNET_TS_CWD`, which scripts/run.sh sets before it changes
 * to the repository root), else the current directory; the default folder is
 * `runs/` at the repository root.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runImageFolder } from './imagefolder-job.js';

runImageFolder(process.argv.slice(2), {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  progress: process.stdout,
  cwd: process.env.CONVNET_TS_CWD ?? process.cwd(),
  repoRoot: join(dirname(fileURLToPath(import.meta.url)), '../../..'),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  },
);
