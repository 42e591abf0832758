/** What the images page reports, and the options both sides read with. */
import type { ReadImagesOptions } from '@convnet-ts/images/browser';

export const IMAGES_OPTIONS = { resize: [6, 8], pack: true, cropSize: [0.7, 1], cropLocation: 'random', flip: true, brightness: 5, contrast: 0.3, saturation: 0.3, seed: 9 } as const satisfies ReadImagesOptions;

export type ImagesReport = { ok: true; shape: number[]; data: number[]; skipped: string[] } | { ok: false; error: string };
