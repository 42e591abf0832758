/**
 * A training command's experiment folder (mnist-lenet, imagefolder), kept to
 * one run:
 *
 * - where: `--exp-dir` relative to the directory the command was started in
 *   (`CONVNET_TS_CWD`, set by scripts/run.sh), default
 *   `<repository>/runs/<command's name for the model>`;
 * - what a run is: `net-epoch-<e>.ctsnet` / `.state` (the checkpoints),
 *   `run-options.json` (the options it was started with, written before the
 *   first epoch), `net-train.svg` and `net.mat`, and leftover `.tmp` files of
 *   those;
 * - a new run into a folder holding a run stops (`UsageError`): `--continue`
 *   resumes it — refused when a saved option that changes the result differs
 *   from the command line's (the command's `ExpDirRun.flags`: every option
 *   but `--epochs`, `--exp-dir` and the flags) — and `--overwrite` deletes the
 *   run's files (nothing else) first.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { UsageError } from './cli-args.js';

export const OPTIONS_FILE = 'run-options.json';

const RUN_FILE = /^(net-epoch-\d+\.(ctsnet|state)|net-train\.svg|net\.mat|run-options\.json)(\..+\.tmp)?$/;
const CHECKPOINT = /^net-epoch-(\d+)\.ctsnet$/;

/** A command's options stored in `run-options.json`: those that decide the result, and the epochs asked for. */
export type SavedOptions = { readonly epochs: number };

/** One run of a training command, as its experiment folder is checked against it. */
export interface ExpDirRun<S extends SavedOptions> {
  /** The command's name: starts its messages, and is stored in `run-options.json`. */
  command: string;
  /** What is saved and compared on `--continue`. */
  saved: S;
  /** The command-line spelling of each compared option (all but `epochs`), as `describe` prints it. */
  flags: { readonly [K in Exclude<keyof S, 'epochs'>]: (o: S) => string };
  continue: boolean;
  overwrite: boolean;
}

/** The folder the run goes to: `given` (relative to `cwd`), else `<repoRoot>/runs/<defaultName>`. */
export function resolveExpDir(given: string | null, defaultName: string, cwd: string, repoRoot: string): string {
  if (given === null) return join(repoRoot, 'runs', defaultName);
  return isAbsolute(given) ? given : resolve(cwd, given);
}

async function runFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((f) => RUN_FILE.test(f)).sort();
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return [];
    throw e;
  }
}

/** `epochs 1–10` / `epoch 3`. */
const epochRange = (epochs: number[]): string =>
  epochs.length === 1 ? `epoch ${epochs[0]}` : `epochs ${Math.min(...epochs)}–${Math.max(...epochs)}`;

/** The settings of `saved` that differ from `given`, as `--flag saved` / `--flag given` lists. */
export function differences<S extends SavedOptions>(flags: ExpDirRun<S>['flags'], saved: S, given: S): { saved: string[]; given: string[] } {
  const spell = flags as Readonly<Record<string, (o: S) => string>>;
  const keys = Object.keys(spell).filter((k) => JSON.stringify((saved as Record<string, unknown>)[k]) !== JSON.stringify((given as Record<string, unknown>)[k]));
  return { saved: keys.map((k) => spell[k]!(saved)), given: keys.map((k) => spell[k]!(given)) };
}

/** Writes `path` through a temporary file and a rename, so a reader never sees half of it. */
export async function writeAtomic(path: string, bytes: Uint8Array | string): Promise<void> {
  await writeFile(`${path}.${process.pid}.tmp`, bytes);
  await rename(`${path}.${process.pid}.tmp`, path);
}

async function writeOptions(dir: string, command: string, options: SavedOptions): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeAtomic(join(dir, OPTIONS_FILE), `${JSON.stringify({ command, options }, null, 2)}\n`);
}

export interface Prepared {
  /** The newest checkpoint's epoch that training resumes after (0: a new run). */
  resumeAfter: number;
  /** What was found and done, one line each, to print. */
  notes: string[];
}

/**
 * Checks `dir` against the options (see the module doc), deletes the old run
 * with `overwrite`, and writes `run-options.json`; throws a `UsageError` when
 * the run must not start.
 */
export async function prepareExpDir<S extends SavedOptions>(dir: string, run: ExpDirRun<S>): Promise<Prepared> {
  const files = await runFiles(dir);
  const epochs = files.flatMap((f) => {
    const m = CHECKPOINT.exec(f);
    return m ? [Number(m[1])] : [];
  });
  const given = run.saved;
  const asked = given.epochs;
  const held = epochs.length > 0 ? `checkpoints of ${epochRange(epochs)}` : `${files.join(', ')}`;
  if (files.length > 0 && !run.continue && !run.overwrite) {
    throw new UsageError(
      `${run.command}: ${dir} already holds a run (${held}); pass --continue to resume it, ` +
        '--exp-dir DIR to start a new run elsewhere, or --overwrite to delete it and start again',
    );
  }
  const notes: string[] = [];
  if (run.overwrite && files.length > 0) {
    await Promise.all(files.map((f) => rm(join(dir, f), { force: true })));
    notes.push(`--overwrite: deleted the previous run in ${dir} (${held})`);
  }
  if (!run.continue || files.length === 0) {
    if (run.continue) notes.push(`--continue: ${dir} holds no run yet; starting at epoch 1`);
    await writeOptions(dir, run.command, given);
    return { resumeAfter: 0, notes };
  }
  let saved: S | null = null;
  try {
    saved = (JSON.parse(await readFile(join(dir, OPTIONS_FILE), 'utf8')) as { options: S }).options;
  } catch {
    notes.push(`${dir} has no readable ${OPTIONS_FILE} (a run from an older version): its options cannot be checked`);
  }
  if (saved) {
    const diff = differences(run.flags, saved, given);
    if (diff.saved.length > 0) {
      throw new UsageError(
        `${run.command}: --continue: the run in ${dir} was started with ${diff.saved.join(', ')}, not ${diff.given.join(', ')}; ` +
          'resuming with other settings would mix two runs: repeat its options, or start a new run (--exp-dir DIR or --overwrite)',
      );
    }
  }
  const newest = epochs.length > 0 ? Math.max(...epochs) : 0;
  if (newest === 0) notes.push(`--continue: ${dir} holds no checkpoint yet; starting at epoch 1`);
  else if (newest >= asked) {
    notes.push(`--continue: resuming after epoch ${newest} (net-epoch-${newest}.ctsnet): nothing left to train for --epochs ${asked}`);
  } else {
    const next = newest + 1 === asked ? `epoch ${asked}` : `epochs ${newest + 1}–${asked}`;
    notes.push(`--continue: resuming from the checkpoint of epoch ${newest} (net-epoch-${newest}.ctsnet); training ${next}`);
  }
  await writeOptions(dir, run.command, given);
  return { resumeAfter: newest, notes };
}

