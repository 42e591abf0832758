/**
 * The crop `vl_imreadjpeg` takes from an image before resizing it to the
 * network's input (matlab/src/vl_imreadjpeg.cu, with MatConvNet's test-time
 * settings: `CropLocation` 'center', one `CropSize`, no jitter):
 *
 * - keepAspect (`CropAnisotropy` 1): the crop has the output's aspect ratio;
 *   otherwise (`CropAnisotropy` 0) the input's, so the image is squashed;
 * - it is scaled to the largest such rectangle inside the image, times
 *   `cropSize` (per side: `[h, w]`), rounded (half away from zero) and
 *   clipped to the image;
 * - it is centred: offset ⌊(W − cropW)/2⌋, ⌊(H − cropH)/2⌋.
 *
 * With cropSize = s this is "resize so that the crop spans imageSize/s, then
 * centre-crop imageSize", done as one resampling of the crop window.
 */

export interface CropWindow {
  top: number;
  left: number;
  height: number;
  width: number;
}

export function cropWindow(
  input: { height: number; width: number },
  output: { height: number; width: number },
  cropSize: readonly [number, number],
  keepAspect: boolean,
): CropWindow {
  const { height: H, width: W } = input;
  const { height: Ho, width: Wo } = output;
  const anisotropy = keepAspect ? 1 : W / H / (Wo / Ho);
  let cropW = Wo * Math.sqrt(anisotropy);
  let cropH = Ho / Math.sqrt(anisotropy);
  const scale = Math.min(W / cropW, H / cropH);
  cropW *= scale * cropSize[1];
  cropH *= scale * cropSize[0];
  const width = Math.max(1, Math.min(Math.round(cropW), W));
  const height = Math.max(1, Math.min(Math.round(cropH), H));
  return { top: Math.floor((H - height) / 2), left: Math.floor((W - width) / 2), height, width };
}
