/**
 * Checkpoints (cnn_train's `net-epoch-<e>.mat`, matconvnet-api §5.1): after
 * epoch e, two files in expDir, each written atomically (`files.ts`):
 *
 * 1. `net-epoch-<e>.state` — the trainer's state, a convnet-ts model file
 *    (same container, CRC-checked) whose description is
 *    `{ format: 'convnet-ts-train-state', version, epoch, solver, randomSeed,
 *    stats, params: [{ name, steps, tensors: [key…] }] }` and whose tensors
 *    are the solver state (`<param>/<key>`: momentum, adam's m and v, …);
 * 2. `net-epoch-<e>.ctsnet` — the network (`adapter.save()`, loadable alone
 *    by `loadSimpleNN`), written last: it marks the checkpoint complete.
 *
 * `resume` takes the largest e with a `.ctsnet` file (leftover `.tmp` files
 * are ignored), checks both files completely, and only then restores the
 * network and returns the state; a corrupt or partial newest checkpoint
 * throws a `ValueError` naming the file, and nothing is ever deleted.
 * No RNG state is stored: each epoch reseeds with `randomSeed + epoch`
 * (MatConvNet's `rng(epoch + randomSeed)`), so the epoch number determines it.
 * Values are stored as float32, so resume is exact for float32 backends.
 */
import { decodeModelFile, encodeModelFile, type StoredTensor } from '@convnet-ts/simplenn';
import { isConvnetError, ValueError } from '@convnet-ts/tensor';
import type { NetworkAdapter } from './adapter.js';
import { exists, joinPath, listDir, readBytes, writeAtomic } from './files.js';
import type { ParamState } from './solvers.js';
import type { EpochStats } from './stats.js';

const FORMAT = 'convnet-ts-train-state';
const VERSION = 1;

export const netFile = (epoch: number): string => `net-epoch-${epoch}.ctsnet`;
export const stateFile = (epoch: number): string => `net-epoch-${epoch}.state`;

export interface TrainerState {
  epoch: number;
  /** The solver's name ('sgd', …, or `custom:<function name>`). */
  solver: string;
  randomSeed: number;
  stats: EpochStats[];
  states: Map<string, ParamState>;
}

/** Writes the checkpoint of `state.epoch` (state file first, network last). */
export async function saveCheckpoint(expDir: string, adapter: NetworkAdapter, state: TrainerState): Promise<void> {
  const tensors: StoredTensor[] = [];
  const params: { name: string; steps: number; tensors: string[] }[] = [];
  for (const [name, s] of state.states) {
    const keys = Object.keys(s.tensors);
    for (const k of keys) {
      const t = s.tensors[k]!;
      tensors.push({ name: `${name}/${k}`, shape: [...t.shape], data: Float32Array.from(await t.data()) });
    }
    params.push({ name, steps: s.steps, tensors: keys });
  }
  const description = { format: FORMAT, version: VERSION, epoch: state.epoch, solver: state.solver, randomSeed: state.randomSeed, stats: state.stats, params };
  await writeAtomic(joinPath(expDir, stateFile(state.epoch)), encodeModelFile(adapter.kind, description, tensors));
  await writeAtomic(joinPath(expDir, netFile(state.epoch)), await adapter.save());
}

/** The largest epoch with a network file in expDir, or 0. */
export async function newestCheckpoint(expDir: string): Promise<number> {
  let newest = 0;
  for (const name of await listDir(expDir)) {
    const m = /^net-epoch-(\d+)\.ctsnet$/.exec(name);
    if (m) newest = Math.max(newest, Number(m[1]));
  }
  return newest;
}

function corrupt(path: string, why: string): never {
  throw new ValueError('train', 'checkpoint', `checkpoint ${path} must be complete and valid to continue, got ${why}; nothing was deleted: remove or repair it, or start without continue`);
}

/** Restores the network of epoch `epoch` into `adapter` and returns the trainer's state. */
export async function loadCheckpoint(expDir: string, epoch: number, adapter: NetworkAdapter, solver: string): Promise<TrainerState> {
  const statePath = joinPath(expDir, stateFile(epoch));
  const netPath = joinPath(expDir, netFile(epoch));
  if (!(await exists(statePath))) corrupt(statePath, 'no state file (only partially saved)');
  const wrap = <T>(path: string, fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      if (isConvnetError(e)) corrupt(path, `an error: ${e.message}`);
      throw e;
    }
  };
  const stateBytes = await readBytes(statePath);
  const netBytes = await readBytes(netPath);
  const decoded = wrap(statePath, () => decodeModelFile(stateBytes, adapter.kind));
  const d = decoded.description as Partial<TrainerState> & { format?: unknown; version?: unknown; params?: { name: string; steps: number; tensors: string[] }[] };
  if (d?.format !== FORMAT || d.version !== VERSION || d.epoch !== epoch || !Array.isArray(d.params) || !Array.isArray(d.stats)) {
    corrupt(statePath, `a description that is not a version ${VERSION} trainer state of epoch ${epoch}`);
  }
  if (d.solver !== solver) corrupt(statePath, `the state of solver '${String(d.solver)}' while training uses '${solver}'`);
  const byName = new Map(decoded.tensors.map((t) => [t.name, t]));
  for (const p of d.params) for (const k of p.tensors) if (!byName.has(`${p.name}/${k}`)) corrupt(statePath, `no tensor ${p.name}/${k}`);
  wrap(netPath, () => adapter.restore(netBytes));
  const states = new Map<string, ParamState>();
  for (const p of d.params) {
    const tensors = Object.fromEntries(p.tensors.map((k) => {
      const t = byName.get(`${p.name}/${k}`)!;
      return [k, adapter.backend.tensor(t.data, t.shape)];
    }));
    states.set(p.name, { tensors, steps: p.steps });
  }
  return { epoch, solver, randomSeed: d.randomSeed ?? 0, stats: d.stats as EpochStats[], states };
}
