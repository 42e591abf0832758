/**
 * `ImageError` — one image could not be read: the file is missing or
 * unreadable, its format is not PNG or JPEG, or the decoder rejected it
 * (corrupt, truncated). It names the function and the image (a path, a URL,
 * or `sources[i]` for a Blob); `source` and `reason` say which and why, so a
 * caller can skip and count (`onError: 'skip'`).
 */
import { ValueError } from '@convnet-ts/tensor';

export type ImageErrorReason = 'missing' | 'unreadable' | 'unsupported' | 'corrupt';

export const IMAGE_ERROR_REASONS: readonly ImageErrorReason[] = ['missing', 'unreadable', 'unsupported', 'corrupt'];

export class ImageError extends ValueError {
  /** The image: its path, URL, or `sources[i]`. */
  readonly source: string;
  readonly reason: ImageErrorReason;

  constructor(where: string, source: string, reason: ImageErrorReason, message: string) {
    super(where, source, message);
    this.source = source;
    this.reason = reason;
  }
}

/** An `ImageError` as it crosses a worker boundary (structured clone keeps no class). */
export interface ImageErrorData {
  source: string;
  reason: ImageErrorReason;
  /** The message after `where: `. */
  detail: string;
}

export function imageErrorData(source: string, reason: ImageErrorReason, detail: string): ImageErrorData {
  return { source, reason, detail };
}

export function toImageError(where: string, e: ImageErrorData): ImageError {
  return new ImageError(where, e.source, e.reason, e.detail);
}
