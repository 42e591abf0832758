import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runMnist } from './mnist-job.js';

const scratch = mkdtempSync(join(tmpdir(), 'convnet-ts-mnist-job-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs the job in-process on 100 digits (1 s an epoch), with `cwd` and the repository root inside scratch. */
async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const progress: string[] = [];
  const code = await runMnist(['--subset', '100', ...argv], {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    progress: { write: (t: string) => progress.push(t), isTTY: false },
    cwd: join(scratch, 'cwd'),
    repoRoot: join(scratch, 'repo'),
  });
  return { code, out: out.join('\n'), err: err.join('\n'), progress: progress.join('') };
}

/** Each test trains 1–3 epochs on 100 digits: 1–4 s here, but up to 16× that while the whole suite runs on 2 cores. */
describe('the MNIST job (mnist-job.ts)', { timeout: 120_000 }, () => {
  mkdirSync(join(scratch, 'cwd'));

  it('prints the network, one line per epoch, and writes checkpoints, options, plot and net.mat to runs/ at the repository root', async () => {
    const r = await run('--epochs', '2', '--weight-decay', '0');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const dir = join(scratch, 'repo', 'runs', 'mnist-lenet');
    expect(r.out).toContain('LeNet: 100 training digits, 25 held out; 2 epochs, batch 100');
    expect(r.out).toContain('weight decay 0, seed 0; cpu backend');
    expect(r.out).toMatch(/\n {4}5 \| conv3 \| +conv \| +4 \| +50 \| +500 \|/);
    expect(r.out).toContain('parameter memory: 1.6MB (431080 parameters)');
    expect(r.out).toContain(`experiment folder: ${dir}`);
    const lines = r.progress.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^epoch 01\/2 {2}train objective \d\.\d{4} top1err \d\.\d{4} top5err \d\.\d{4} {2}val objective .* \d+\.\d s, \d+ im\/s {2}data \d+\.\d\d s \/ compute \d+\.\d s {2}ETA \d:\d\d$/);
    expect(lines[1]).toMatch(/^epoch 02\/2 .* \d+\.\d s, \d+ im\/s {2}data \d+\.\d\d s \/ compute \d+\.\d s$/);
    expect(readdirSync(dir).sort()).toEqual(['net-epoch-1.ctsnet', 'net-epoch-1.state', 'net-epoch-2.ctsnet', 'net-epoch-2.state', 'net-train.svg', 'net.mat', 'run-options.json']);
    const saved = JSON.parse(readFileSync(join(dir, 'run-options.json'), 'utf8'));
    expect(saved).toEqual({
      command: 'mnist-lenet',
      options: { backend: 'cpu', bnorm: false, batchSize: 100, learningRate: [0.003, 0.003, 0.003, 0.003, 0.003, 0.001, 0.001, 0.001, 0.0003], weightDecay: 0, momentum: 0.9, seed: 0, subset: 100, epochs: 2 },
    });
    expect(readFileSync(join(dir, 'net-train.svg'), 'utf8')).toContain('epochs 1–2');
  });

  it('refuses a new run into a folder holding one, and resumes with --continue saying from which epoch', async () => {
    const refused = await run('--epochs', '2', '--weight-decay', '0');
    expect(refused.code).toBe(2);
    const dir = join(scratch, 'repo', 'runs', 'mnist-lenet');
    expect(refused.err).toBe(
      `mnist-lenet: ${dir} already holds a run (checkpoints of epochs 1–2); pass --continue to resume it, --exp-dir DIR to start a new run elsewhere, or --overwrite to delete it and start again`,
    );
    const resumed = await run('--epochs', '3', '--weight-decay', '0', '--continue');
    expect(resumed.err).toBe('');
    expect(resumed.out).toContain('--continue: resuming from the checkpoint of epoch 2 (net-epoch-2.ctsnet); training epoch 3');
    expect(resumed.progress).toMatch(/^epoch 03\/3 /);
    expect(resumed.out).toContain('this run: ');
    expect(resumed.out).toContain('for 1 epoch (');
    const done = await run('--epochs', '3', '--weight-decay', '0', '--continue');
    expect(done.out).toContain('--continue: resuming after epoch 3 (net-epoch-3.ctsnet): nothing left to train for --epochs 3');
    expect(done.out).toContain('this run trained nothing: epoch 3 was the newest checkpoint');
    expect(done.progress).toBe('');
  });

  it('refuses to --continue with options that change the result, naming them', async () => {
    const r = await run('--epochs', '4', '--continue', '--batch-size', '50');
    expect(r.code).toBe(2);
    const dir = join(scratch, 'repo', 'runs', 'mnist-lenet');
    expect(r.err).toBe(
      `mnist-lenet: --continue: the run in ${dir} was started with --batch-size 100, --weight-decay 0, not --batch-size 50, --weight-decay 0.005; ` +
        'resuming with other settings would mix two runs: repeat its options, or start a new run (--exp-dir DIR or --overwrite)',
    );
    expect(readdirSync(dir).filter((f) => f.endsWith('.ctsnet'))).toHaveLength(3);
  });

  it('--overwrite deletes the run’s files (and nothing else) before starting again', async () => {
    const dir = join(scratch, 'repo', 'runs', 'mnist-lenet');
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const r = await run('--epochs', '1', '--overwrite');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`--overwrite: deleted the previous run in ${dir} (checkpoints of epochs 1–3)`);
    expect(readdirSync(dir).sort()).toEqual(['net-epoch-1.ctsnet', 'net-epoch-1.state', 'net-train.svg', 'net.mat', 'notes.txt', 'run-options.json']);
  });

  it('takes a relative --exp-dir from the caller’s directory; --continue into an empty one starts at epoch 1', async () => {
    const r = await run('--epochs', '1', '--exp-dir', 'trial', '--continue');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`--continue: ${join(scratch, 'cwd', 'trial')} holds no run yet; starting at epoch 1`);
    expect(existsSync(join(scratch, 'cwd', 'trial', 'net-epoch-1.ctsnet'))).toBe(true);
  });

  it('gives usage errors exit code 2 and prints --help', async () => {
    const r = await run('--weight_decay', '0');
    expect(r).toMatchObject({ code: 2, err: 'mnist-lenet: unknown option --weight_decay; did you mean --weight-decay? (see --help)' });
    const help = await run('--help');
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^Train LeNet/);
  });
});
