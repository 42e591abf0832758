import type { Backend } from '@convnet-ts/tensor';

/** A backend the reliability suite runs on, made once per suite. */
export interface ReliabilityTarget {
  /** Shown in test names: `cpu float64`, `webgpu (swiftshader)`, … */
  name: string;
  create: () => Backend | Promise<Backend>;
}

/** `getBackend()` makes the target's backend at its first call and returns the same one afterwards. */
export function lazyBackend(target: ReliabilityTarget): () => Promise<Backend> {
  let backend: Promise<Backend> | undefined;
  return () => {
    backend ??= Promise.resolve(target.create());
    return backend;
  };
}
