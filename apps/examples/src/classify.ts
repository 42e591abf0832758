/**
 * `bash scripts/run.sh classify --model FILE.mat --image FILE [--top 5]` —
 * see classify-cli.ts. Relative paths resolve against the directory the
 * command was started in (`CONVNET_TS_CWD`, which scripts/run.sh sets before
 * it changes to the repository root), else the current directory.
 */
import { classify } from './classify-cli.js';

classify(process.argv.slice(2), {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  cwd: process.env.CONVNET_TS_CWD ?? process.cwd(),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  },
);
