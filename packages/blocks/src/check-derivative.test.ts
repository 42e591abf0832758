import { describe, expect, it } from 'vitest';
import { checkDerivative } from './check-derivative.js';
import { cpu64, randn } from './test-helpers.js';

describe('checkDerivative', () => {
  // y = x ⊙ x (element-wise square through the Unary kernel), so dz/dx = 2 x ⊙ dzdy.
  const square = (x: import('@convnet-ts/tensor').Tensor) => x.backend.run('Unary', { x }, { op: 'square', alpha: 0 });

  it('accepts a correct derivative', async () => {
    const x = randn(cpu64, [2, 3], 1);
    const dzdy = randn(cpu64, [2, 3], 2);
    const xs = x.dataSync();
    const ds = dzdy.dataSync();
    const dzdx = cpu64.tensor(Array.from(xs, (v, i) => 2 * v * ds[i]!), [2, 3]);
    const r = await checkDerivative(square, x, dzdy, dzdx);
    expect(r.passed).toBe(true);
    expect(r.maxError).toBeLessThan(1e-8);
  });

  it('rejects a wrong derivative and names the worst element', async () => {
    const x = randn(cpu64, [2, 3], 1);
    const dzdy = randn(cpu64, [2, 3], 2);
    const xs = x.dataSync();
    const ds = dzdy.dataSync();
    const wrong = Array.from(xs, (v, i) => 2 * v * ds[i]!);
    wrong[4] = wrong[4]! + 0.5;
    const r = await checkDerivative(square, x, dzdy, cpu64.tensor(wrong, [2, 3]));
    expect(r.passed).toBe(false);
    expect(r.worstIndex).toBe(4);
  });

  it('rejects a dzdx whose shape is not the shape of x', async () => {
    const x = randn(cpu64, [2, 3], 1);
    await expect(checkDerivative(square, x, x, randn(cpu64, [3, 2], 1))).rejects.toThrow(
      'checkDerivative: dzdx must have the shape of x [2, 3], got [3, 2]',
    );
  });
});
