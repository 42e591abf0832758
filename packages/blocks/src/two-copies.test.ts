import { fileURLToPath } from 'node:url';
import { BackendError, type Tensor, VERSION } from '@convnet-ts/tensor';
import { describe, expect, it } from 'vitest';
import { conv } from './conv.js';
import { cpu32 } from './test-helpers.js';

describe('a tensor from a second installed copy of @convnet-ts/tensor', () => {
  it('is refused by a block with the two-copies message, not "x must be a Tensor"', async () => {
    // `?copy` loads the tensor package's sources a second time: a second `Tensor`
    // class with the same brand, as when two versions end up in node_modules.
    const specifier = `${fileURLToPath(new URL('../../tensor/src/tensor.ts', import.meta.url))}?copy`;
    const other = (await import(specifier)) as { Tensor: typeof Tensor };
    const mine = cpu32.tensor([1, 2, 3, 4], [1, 2, 2, 1]);
    const foreign = new other.Tensor(cpu32, mine.shape, mine.storage);
    const f = cpu32.tensor([1], [1, 1, 1, 1]);
    expect(() => conv(foreign, f, null)).toThrow(BackendError);
    expect(() => conv(foreign, f, null)).toThrow(
      `conv: x is a Tensor of another copy of @convnet-ts/tensor: two copies of @convnet-ts/tensor (${VERSION} and ${VERSION}) are installed`,
    );
    expect(() => conv(mine, foreign, null)).toThrow(/^conv: f is a Tensor of another copy/);
  });
});
