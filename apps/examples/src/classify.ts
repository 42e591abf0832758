/**
 * `bash scripts/run.sh classify --model FILE.mat --image FILE [--top 5]` —
 * see classify-cli.ts. Relative paths resolve against the directory the
 * command was started in (`main.ts`).
 */
import { classify } from './classify-cli.js';
import { runCommand } from './main.js';

runCommand(classify);
