/**
 * The model the page classifies with, on the page's own CPU backend (one
 * thread: the page's thread must stay free for drawing): a SimpleNN from a
 * convnet-ts model file or a MatConvNet `.mat` (`loadModel` of
 * @convnet-ts/predict), or a DagNN from those or from ONNX (`importOnnx`).
 * Files are told apart by content: the model file's magic, a MAT-file's
 * "MATLAB 5.0" text, else ONNX.
 */
import type { DagNN } from '@convnet-ts/dagnn';
import { createCpuBackend } from '@convnet-ts/kernels-cpu';
import { importOnnx } from '@convnet-ts/onnx';
import { isDagNN, loadModel } from '@convnet-ts/predict';
import type { SimpleNN } from '@convnet-ts/simplenn';

export const pageBackend = createCpuBackend({ threads: 1 });

export interface CurrentModel {
  net: SimpleNN | DagNN;
  /** Where it came from, for the page: 'trained on WebGPU, epoch 3', 'lenet.mat', … */
  label: string;
  /** 'convnet-ts' / 'matconvnet' / 'onnx'. */
  format: string;
  notes: string[];
}

function isMatFile(bytes: Uint8Array): boolean {
  return new TextDecoder().decode(bytes.subarray(0, 10)) === 'MATLAB 5.0';
}

/** Reads a model file of any supported kind onto the page's backend. */
export function readModel(bytes: Uint8Array, label: string): CurrentModel {
  const first = bytes[0];
  if (first === 0x89 || isMatFile(bytes)) {
    const loaded = loadModel(bytes, pageBackend);
    return { net: loaded.net, label, format: loaded.format, notes: loaded.notes };
  }
  return { net: importOnnx(bytes, pageBackend), label, format: 'onnx', notes: [] };
}

/** Frees the tensors of a model the page no longer uses. */
export function disposeModel(model: CurrentModel): void {
  if (isDagNN(model.net)) {
    for (const p of model.net.params.values()) p.value?.dispose();
    return;
  }
  for (const layer of model.net.layers) {
    if ('weights' in layer) for (const w of layer.weights as readonly ({ dispose(): void } | null)[]) w?.dispose();
  }
}
