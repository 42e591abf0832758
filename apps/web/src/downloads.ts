/**
 * The current model as a file to save: a convnet-ts model file
 * (`saveSimpleNN` / `saveDagNN`), a MatConvNet MAT-file (`saveMatConvNet` /
 * `saveMatConvNetDag`: `net = load('lenet.mat')` in MATLAB, then
 * `vl_simplenn(net, im)`) or an ONNX model (`exportOnnx`, NHWC input as
 * convnet-ts feeds it).
 */
import { type DagNN, saveDagNN, saveMatConvNetDag } from '@convnet-ts/dagnn';
import { exportOnnx } from '@convnet-ts/onnx';
import { isDagNN } from '@convnet-ts/predict';
import { type SimpleNN, saveMatConvNet, saveSimpleNN } from '@convnet-ts/simplenn';

export type DownloadFormat = 'convnet-ts' | 'mat' | 'onnx';

const EXTENSIONS: Record<DownloadFormat, string> = { 'convnet-ts': 'ctsnet', mat: 'mat', onnx: 'onnx' };

export async function modelBytes(net: SimpleNN | DagNN, format: DownloadFormat): Promise<Uint8Array> {
  if (format === 'onnx') return exportOnnx(net);
  if (isDagNN(net)) return format === 'mat' ? saveMatConvNetDag(net) : saveDagNN(net);
  return format === 'mat' ? saveMatConvNet(net) : saveSimpleNN(net);
}

/** Offers `bytes` to the user as `<base>.<extension of format>`. */
export function offerFile(bytes: Uint8Array, base: string, format: DownloadFormat): void {
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `${base}.${EXTENSIONS[format]}`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Wires each button to offer the current model (none: nothing) as `<base>.<extension>` in its format; a failed export goes to `onError`. */
export function downloadButtons(buttons: readonly (readonly [HTMLElement, DownloadFormat])[], base: string, current: () => SimpleNN | DagNN | null, onError: (message: string) => void): void {
  for (const [button, format] of buttons) {
    button.addEventListener('click', () => {
      const net = current();
      if (!net) return;
      modelBytes(net, format).then(
        (bytes) => offerFile(bytes, base, format),
        (err: unknown) => onError(`Export as ${format} failed: ${(err as Error).message}`),
      );
    });
  }
}
