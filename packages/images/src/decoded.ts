/** Pixels as a decoder gives them: row-major, interleaved, 8 bits, 1 (grey), 3 (RGB) or 4 (RGBA) per pixel. */
export interface DecodedImage {
  width: number;
  height: number;
  channels: 1 | 3 | 4;
  data: Uint8Array | Uint8ClampedArray;
}

/** One image out of `readImages` without `pack`: row-major `[height, width, channels]`, float32 0..255 before jitter. */
export interface ImageArray {
  height: number;
  width: number;
  /** 1 for a grey image, 3 for colour (alpha is dropped), always 3 with `pack`. */
  channels: 1 | 3;
  data: Float32Array;
}
