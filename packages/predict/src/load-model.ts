/**
 * `loadModel(bytes, backend)` — a model file of any kind this project reads,
 * told apart by its content:
 *
 * - a convnet-ts model file (magic `\x89CNVTS\r\n`, `model-file.ts` of
 *   @convnet-ts/simplenn): its header's `kind` picks `loadSimpleNN` or `loadDagNN`;
 * - a MAT-file (`readMat`): a DagNN `saveobj` struct has `layers` as a struct
 *   array (beside `vars`, `params`, `meta`), a SimpleNN has `layers` as a
 *   cell (beside `meta`, or the legacy `normalization`/`classes`); both either
 *   as the file's variables (`save(file, '-struct', 'net')`, the zoo's form)
 *   or inside one variable `net` (`cnn_train`'s checkpoints) — MatConvNet's
 *   own test is `isfield(net, 'params')` (`cnn_imagenet_evaluate.m`).
 *   The file is read once and handed to `loadMatConvNet` / `loadMatConvNetDag`.
 */
import { DagNN, loadDagNN, loadMatConvNetDag } from '@convnet-ts/dagnn';
import { type MatFile, type MatValue, readMat } from '@convnet-ts/matfile';
import { loadMatConvNet, loadSimpleNN, MODEL_FILE_MAGIC, type SimpleNN } from '@convnet-ts/simplenn';
import { type Backend, ValueError } from '@convnet-ts/tensor';

export type Model = SimpleNN | DagNN;

export interface LoadedModel {
  kind: 'simplenn' | 'dagnn';
  /** 'matconvnet': a MAT-file; 'convnet-ts': this project's model file. */
  format: 'matconvnet' | 'convnet-ts';
  net: Model;
  /** What the MatConvNet importers upgraded, assumed or dropped (empty for convnet-ts files). */
  notes: string[];
}

const WHERE = 'loadModel';

function isModelFile(bytes: Uint8Array): boolean {
  return bytes.length >= MODEL_FILE_MAGIC.length && MODEL_FILE_MAGIC.every((b, i) => bytes[i] === b);
}

/** The `kind` in a convnet-ts model file's JSON header (checked fully by the loaders). */
function modelFileKind(bytes: Uint8Array): string {
  if (bytes.length < 20) throw new ValueError(WHERE, 'bytes', `bytes must be a whole convnet-ts model file, got ${bytes.length} bytes (truncated)`);
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(12, true);
  if (20 + length > bytes.length) throw new ValueError(WHERE, 'bytes', `bytes must be a whole convnet-ts model file, got a header of ${length} bytes in a file of ${bytes.length} (truncated)`);
  try {
    const kind = (JSON.parse(new TextDecoder().decode(bytes.subarray(20, 20 + length))) as { kind?: unknown }).kind;
    return String(kind);
  } catch (e) {
    throw new ValueError(WHERE, 'bytes', `bytes must be a convnet-ts model file with a JSON header, got unreadable JSON (${(e as Error).message})`);
  }
}

function kindOfStruct(fields: Readonly<Record<string, MatValue>>): 'simplenn' | 'dagnn' | null {
  const layers = fields.layers;
  if (layers?.type === 'struct' || fields.params !== undefined) return 'dagnn';
  if (layers?.type === 'cell') return 'simplenn';
  return null;
}

function kindOfMat(file: MatFile): 'simplenn' | 'dagnn' {
  const vars = Object.fromEntries(file.variables.map((v) => [v.name, v.value]));
  const top = kindOfStruct(vars);
  if (top) return top;
  const net = vars.net;
  if (net?.type === 'struct' && net.data.length === 1) {
    const inner = kindOfStruct(net.data[0]!);
    if (inner) return inner;
  }
  const names = file.variables.map((v) => v.name).join(', ') || '(none)';
  throw new ValueError(
    WHERE,
    'bytes',
    `bytes must be a MatConvNet model: a SimpleNN ('layers' cell) or DagNN ('layers' struct array with 'vars' and 'params'), as variables or in one variable 'net'; got a MAT-file with variables ${names}`,
  );
}

/** See the module doc. */
export function loadModel(bytes: Uint8Array, backend: Backend): LoadedModel {
  if (!(bytes instanceof Uint8Array)) throw new ValueError(WHERE, 'bytes', `bytes must be a Uint8Array (the file's contents), got ${Object.prototype.toString.call(bytes)}`);
  if (isModelFile(bytes)) {
    const kind = modelFileKind(bytes);
    if (kind === 'simplenn') return { kind, format: 'convnet-ts', net: loadSimpleNN(bytes, backend), notes: [] };
    if (kind === 'dagnn') return { kind, format: 'convnet-ts', net: loadDagNN(bytes, backend), notes: [] };
    throw new ValueError(WHERE, 'bytes', `bytes must be a convnet-ts model file of kind 'simplenn' or 'dagnn', got kind '${kind}'`);
  }
  const file = readMat(bytes);
  const kind = kindOfMat(file);
  const r = kind === 'dagnn' ? loadMatConvNetDag(file, backend) : loadMatConvNet(file, backend);
  return { kind, format: 'matconvnet', net: r.net, notes: r.notes };
}

export function isDagNN(net: Model): net is DagNN {
  return net instanceof DagNN;
}
