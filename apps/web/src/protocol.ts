/**
 * The messages between the page and the training worker (train-worker.ts).
 * Model files travel as the bytes of `saveSimpleNN` (a convnet-ts model
 * file), so the page loads the trained network on its own backend.
 */
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

export type ToWorker = { type: 'start'; config: TrainConfig; digitsUrl: string } | { type: 'pause' } | { type: 'resume' };

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
}

export type FromWorker =
  | { type: 'ready'; backend: 'webgpu' | 'cpu'; detail: string; digitsMs: number; backendMs: number }
  | BatchReport
  | { type: 'epoch'; stats: EpochStats; model: Uint8Array }
  | { type: 'done'; stats: EpochStats[]; model: Uint8Array }
  | { type: 'paused' }
  | { type: 'resumed' }
  | { type: 'error'; message: string };
