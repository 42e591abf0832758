import * as tf from '@tensorflow/tfjs-core';
import type { Run } from './engine.js';
import { ALEXNET, ALEXNET_CLASSES, ALEXNET_RATE, type BenchData } from './workloads.js';

/** conv2d with groups = input channels / filter depth: tfjs has no grouped convolution, so split, convolve each group, concatenate. */
function groupedConv(x: tf.Tensor4D, f: tf.Tensor4D, stride: number, pad: number): tf.Tensor4D {
  const groups = x.shape[3] / f.shape[2];
  const p: [[0, 0], [number, number], [number, number], [0, 0]] = [[0, 0], [pad, pad], [pad, pad], [0, 0]];
  if (groups === 1) return tf.conv2d(x, f, stride, p) as tf.Tensor4D;
  const xs = tf.split(x, groups, 3) as tf.Tensor4D[];
  const fs = tf.split(f, groups, 3) as tf.Tensor4D[];
  return tf.concat(
    xs.map((xg, g) => tf.conv2d(xg, fs[g]!, stride, p)),
    3,
  ) as tf.Tensor4D;
}

/**
 * W5 on TensorFlow.js: cnn_imagenet_init's AlexNet (no LRN) with the same
 * weights, `optimizer.minimize` and `tf.train.sgd`; the loss is summed over
 * the batch as MatConvNet's softmaxloss. Its 2-group layers are split and
 * concatenated (tfjs has no grouped convolution).
 */
export function tfjsAlexnetStep(backend: string, data: NonNullable<BenchData['alexnet']>): { step: Run; dispose: () => void } {
  const x = tf.tensor4d(data.x.values, data.x.shape as [number, number, number, number]);
  const onehot = tf.oneHot(tf.tensor1d(data.labels.map((l) => l - 1), 'int32'), ALEXNET_CLASSES);
  const vars = data.params.map((p, i) => ({
    f: tf.variable(tf.tensor4d(p.f.values, p.f.shape as [number, number, number, number]), true, `${backend}-alexnet${i}f`),
    b: tf.variable(tf.tensor1d(p.b.values), true, `${backend}-alexnet${i}b`),
  }));
  const optimizer = tf.train.sgd(ALEXNET_RATE);
  const loss = (): tf.Scalar => {
    let h: tf.Tensor4D = x;
    for (const [i, l] of ALEXNET.entries()) {
      h = tf.add(groupedConv(h, vars[i]!.f, l.stride, l.pad), vars[i]!.b) as tf.Tensor4D;
      if (l.relu) h = tf.relu(h);
      if (l.pool) h = tf.maxPool(h, 3, 2, 'valid');
      if (l.dropout) h = tf.dropout(h, 0.5) as tf.Tensor4D;
    }
    return tf.losses.softmaxCrossEntropy(onehot, tf.reshape(h, [data.labels.length, ALEXNET_CLASSES]), undefined, 0, tf.Reduction.MEAN);
  };
  const varList = vars.flatMap((v) => [v.f, v.b]);
  return {
    step: async () => {
      const cost = optimizer.minimize(loss, true, varList);
      await cost?.data();
      cost?.dispose();
      return () => {};
    },
    dispose: () => {
      for (const v of varList) v.dispose();
      optimizer.dispose();
      x.dispose();
      onehot.dispose();
    },
  };
}
