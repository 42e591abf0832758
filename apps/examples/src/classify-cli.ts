/**
 * The classify command (the MatConvNet manual's first example, Fig. 1.1, as a
 * command): load a MatConvNet model file (SimpleNN or DagNN, or a convnet-ts
 * model file), read a PNG or JPEG, preprocess it with the model's
 * `meta.normalization`, run the network and print the top-k classes with
 * their scores, as `1. 0.8123  n02123045 tabby, tabby cat`.
 *
 * `classify(argv, io)` returns the exit code (0 done, 1 failed, 2 bad usage),
 * writing to `io.out` / `io.err`; relative paths resolve against `io.cwd`.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { predict, preprocess, type TopClass } from '@convnet-ts/predict';
import { readImageFile, readModelFile } from '@convnet-ts/predict/node';
import type { Backend } from '@convnet-ts/tensor';
import { parseCommandLine } from './cli-args.js';

export interface ClassifyIO {
  out: (line: string) => void;
  err: (line: string) => void;
  cwd: string;
}

export const HELP = `Classify an image with a MatConvNet model (the manual's first example).

  bash scripts/run.sh classify --model FILE.mat --image FILE [options]

  --model FILE          a MatConvNet model file: SimpleNN (imagenet-vgg-f.mat, …) or DagNN
                        (imagenet-resnet-50-dag.mat, …), saved with -v6 or -v7, or a
                        convnet-ts model file (.ctsnet)
  --image FILE          a PNG or JPEG image
  --top K               how many classes to print (default 5)
  --backend cpu|webgpu  compute backend (default cpu; webgpu uses Dawn from the npm package 'webgpu')
  --no-crop             resize the whole image to imageSize (imresize, as the manual's
                        Fig. 1.1) even when the model's normalization has cropSize/border
                        (default: centre crop as MatConvNet's cnn_imagenet_evaluate)
  --output VAR          DagNN: the variable to read (default: the last non-loss output)
  --verbose             also list what the importer upgraded or dropped
  --help                this text`;

/** `1. 0.8123  n02123045 tabby, tabby cat` (name and description when the model has them, else `class <index>`). */
export function formatTop(t: TopClass, rank: number): string {
  const label = [t.name, t.description].filter((s) => s !== undefined && s !== '').join(' ') || `class ${t.index}`;
  return `${rank}. ${t.score.toFixed(4)}  ${label}`;
}

export async function classify(argv: readonly string[], io: ClassifyIO): Promise<number> {
  let values: ReturnType<typeof parse>;
  try {
    values = parse(argv);
  } catch (e) {
    io.err((e as Error).message);
    return 2;
  }
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  const usage = (message: string): number => {
    io.err(`classify: ${message} (see --help)`);
    return 2;
  };
  if (!values.model) return usage('--model FILE is required');
  if (!values.image) return usage('--image FILE is required');
  if (values.backend !== 'cpu' && values.backend !== 'webgpu') return usage(`--backend must be cpu or webgpu, got ${values.backend}`);
  const topK = Number(values.top);
  if (!Number.isInteger(topK) || topK < 1) return usage(`--top must be a positive integer, got ${values.top}`);
  const at = (p: string) => (isAbsolute(p) ? p : resolve(io.cwd, p));
  const modelPath = at(values.model);
  const imagePath = at(values.image);
  for (const [flag, path] of [['--model', modelPath], ['--image', imagePath]] as const) {
    if (!existsSync(path)) {
      io.err(`classify: ${flag} ${path}: no such file`);
      return 1;
    }
  }

  let backend: Backend | null = null;
  try {
    backend =
      values.backend === 'webgpu'
        ? await (await import('@convnet-ts/kernels-webgpu/node')).createNodeWebGPUBackend()
        : createCpuBackend({ dtype: 'float32' });
    const model = await readModelFile(modelPath, backend);
    const image = await readImageFile(imagePath);
    const { net } = model;
    const normalization = (net.meta as { normalization?: unknown }).normalization;
    if (normalization === undefined) throw new Error(`${modelPath}: the model has no meta.normalization (imageSize, averageImage), so its input preprocessing is unknown`);
    io.out(`model: ${modelPath} (${model.format === 'matconvnet' ? 'MatConvNet' : 'convnet-ts'} ${model.kind === 'dagnn' ? 'DagNN' : 'SimpleNN'}, ${net.layers.length} layers; ${backend.name} backend)`);
    io.out(`image: ${imagePath} (${image.width}×${image.height}, ${image.channels === 1 ? 'grey' : image.channels === 3 ? 'RGB' : 'RGBA'})`);
    if (model.notes.length > 0) {
      if (values.verbose) for (const n of model.notes) io.out(`note: ${n}`);
      else io.out(`(${model.notes.length} import note${model.notes.length > 1 ? 's' : ''}; --verbose lists them)`);
    }
    const x = preprocess(image, normalization, backend, { crop: values.crop });
    try {
      const r = await predict(net, x, { topK, ...(values.output === undefined ? {} : { output: values.output }) });
      for (const [i, t] of r.top[0]!.entries()) io.out(formatTop(t, i + 1));
    } finally {
      x.dispose();
    }
    return 0;
  } catch (e) {
    io.err(`classify: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  } finally {
    backend?.dispose();
  }
}

/** The options, or a `UsageError` naming the closest known option for an unknown one. */
function parse(argv: readonly string[]) {
  const values = parseCommandLine('classify', argv, {
    model: { type: 'string' },
    image: { type: 'string' },
    top: { type: 'string' },
    backend: { type: 'string' },
    'no-crop': { type: 'boolean' },
    output: { type: 'string' },
    verbose: { type: 'boolean' },
    help: { type: 'boolean' },
  });
  return { ...values, top: values.top ?? '5', backend: values.backend ?? 'cpu', crop: !values['no-crop'] };
}
