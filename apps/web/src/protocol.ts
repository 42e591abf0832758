/**
 * The messages between the page and the training worker (train-worker.ts).
 * Model files travel as the bytes of `saveSimpleNN` (a convnet-ts model
 * file), so the page loads the trained network on its own backend.
 */
import type { DatasetProblem, DroppedFolder } from '@convnet-ts/images/browser';
import type { EpochStats } from '@convnet-ts/train';
import type { LenetVariant } from './lenet.js';

export type BackendChoice = 'auto' | 'webgpu' | 'cpu';

export interface TrainConfig {
  variant: LenetVariant;
  backend: BackendChoice;
  /** Training images per epoch, spread over the 8,000 (all of them when larger). */
  trainImages: number;
  /** Held-out images, spread over the 2,000. */
  valImages: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  weightDecay: number;
  momentum: number;
  seed: number;
}

/** Training on a dropped image folder (images-panel.ts): LeNet at S×S×3, the solver settings, and the decoding workers. */
export interface ImageTrainConfig {
  variant: LenetVariant;
  backend: BackendChoice;
  /** Input side S: images are cropped and resized to S×S. */
  size: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  weightDecay: number;
  momentum: number;
  /** Decoding Web Workers. */
  decodeThreads: number;
  seed: number;
}

export type ToWorker =
  | { type: 'start'; config: TrainConfig; digitsUrl: string }
  | { type: 'start-images'; config: ImageTrainConfig; folder: DroppedFolder }
  | { type: 'pause' }
  | { type: 'resume' };

export interface BatchReport {
  type: 'batch';
  epoch: number;
  numEpochs: number;
  mode: 'train' | 'val';
  batch: number;
  numBatches: number;
  /** The pass so far: mean objective and top-1 error per image. */
  objective: number;
  top1err: number;
  /** This batch alone: mean objective per image. */
  batchObjective: number;
  /** Images per second over the pass so far, paused time excluded. */
  imagesPerSecond: number;
  /** Seconds of the pass so far spent waiting for images (decoding), paused time excluded. */
  dataSeconds: number;
  /** Seconds of the pass so far, paused time excluded. */
  seconds: number;
}

/** What the image-folder check found: unreadable files, the set sizes, the mean colour subtracted. */
export interface CheckReport {
  type: 'checked';
  problems: DatasetProblem[];
  trainImages: number;
  valImages: number;
  averageColour: [number, number, number];
  seconds: number;
}

export type FromWorker =
  | { type: 'ready'; backend: 'webgpu' | 'cpu'; detail: string; digitsMs: number; backendMs: number }
  | BatchReport
  | { type: 'checking'; done: number; total: number }
  | CheckReport
  | { type: 'epoch'; stats: EpochStats; model: Uint8Array }
  | { type: 'done'; stats: EpochStats[]; model: Uint8Array }
  | { type: 'paused' }
  | { type: 'resumed' }
  | { type: 'error'; message: string };
