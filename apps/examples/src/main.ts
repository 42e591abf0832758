/**
 * What every example command's entry point does (`mnist-lenet.ts`,
 * `imagefolder.ts`, `classify.ts`): console output, the directory a relative
 * path is taken from (`CONVNET_TS_CWD`, which scripts/run.sh sets before it
 * changes to the repository root, else the current directory), the
 * repository root (where the default runs/ folder is), and the command's
 * result as the process's exit code (1 for an error it did not catch).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProgressStream } from '@convnet-ts/train/node';

export interface CommandIO {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Where the progress bar and the epoch lines go (a bar only when it is a TTY). */
  progress: ProgressStream;
  /** The directory a relative path is taken from. */
  cwd: string;
  /** The repository root, where the default runs/ folder is. */
  repoRoot: string;
}

/** Runs `command` with the process's arguments and console, and sets the exit code. */
export function runCommand(command: (argv: readonly string[], io: CommandIO) => Promise<number>): void {
  const io: CommandIO = {
    out: (line) => console.log(line),
    err: (line) => console.error(line),
    progress: process.stdout,
    cwd: process.env.CONVNET_TS_CWD ?? process.cwd(),
    repoRoot: join(dirname(fileURLToPath(import.meta.url)), '../../..'),
  };
  command(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      console.error(e instanceof Error ? e.message : e);
      process.exitCode = 1;
    },
  );
}
