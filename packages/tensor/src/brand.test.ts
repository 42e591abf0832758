import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Backend } from './backend.js';
import { isTensor, tensorBrand } from './brand.js';
import { BackendError } from './errors.js';
import { TENSOR_BRAND, VERSION } from './identity.js';
import { Tensor } from './tensor.js';

/** Tensor's constructor only stores its backend; these tests never compute. */
const stubBackend = { name: 'stub', dtype: 'float32' } as unknown as Backend;

describe('the tensor brand', () => {
  it('carries this package.json version under a Symbol.for key', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
    expect(TENSOR_BRAND).toBe(Symbol.for('@convnet-ts/tensor.Tensor'));
    const t = new Tensor(stubBackend, [2, 3], null);
    expect(tensorBrand(t)).toBe(VERSION);
    expect(Object.keys(t)).not.toContain(String(TENSOR_BRAND));
  });

  it('isTensor is true for tensors, false for anything else', () => {
    expect(isTensor(new Tensor(stubBackend, [1], null))).toBe(true);
    for (const v of [null, undefined, 3, 'x', [1, 2], { shape: [1], size: 1 }, new Float32Array(1), () => 1]) {
      expect(isTensor(v)).toBe(false);
    }
  });

  it('a tensor of a second copy of the package (another version) throws, naming both versions and the fix', () => {
    // What a second install's Tensor looks like from here: another class, the same Symbol.for brand.
    class OtherCopyTensor {
      readonly shape = [2, 2];
      get [Symbol.for('@convnet-ts/tensor.Tensor')](): string {
        return '0.2.0';
      }
    }
    const foreign = new OtherCopyTensor();
    expect(foreign instanceof Tensor).toBe(false);
    expect(() => isTensor(foreign, 'conv', 'x')).toThrow(BackendError);
    expect(() => isTensor(foreign, 'conv', 'x')).toThrow(
      `conv: x is a Tensor of another copy of @convnet-ts/tensor: two copies of @convnet-ts/tensor (${VERSION} and 0.2.0) are installed. Every @convnet-ts package must share one: run \`npm ls @convnet-ts/tensor\``,
    );
    expect(() => isTensor(foreign)).toThrow(/^isTensor: the value is a Tensor of another copy/);
  });

  it('a second instance of the same version (the package installed twice) is caught too', async () => {
    // `?copy` makes Vite load tensor.ts again: a second Tensor class, as a duplicated install has.
    const specifier: string = './tensor.js?copy';
    const copy = (await import(specifier)) as typeof import('./tensor.js');
    expect(copy.Tensor).not.toBe(Tensor);
    const twin = new copy.Tensor(stubBackend, [3], null);
    expect(twin instanceof Tensor).toBe(false);
    expect(() => isTensor(twin, 'pool', 'x')).toThrow(`two copies of @convnet-ts/tensor (${VERSION} and ${VERSION}) are installed`);
  });
});
