import { describe, expect, it } from 'vitest';
import { convOutputSize } from './conv-output-size.js';
import { GeometryError, isGeometryError } from './errors.js';
import { poolOutputSize } from './pool-output-size.js';

function thrown(body: () => unknown): unknown {
  try {
    body();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('GeometryError', () => {
  it('names the function, the argument, the expectation and the value', () => {
    const error = thrown(() => poolOutputSize(8, { size: 3, pad: 3 }));
    expect(error).toBeInstanceOf(GeometryError);
    expect(error).toBeInstanceOf(Error);
    const e = error as GeometryError;
    expect(e.message).toBe('poolOutputSize: pad 3 (top) must be smaller than size 3');
    expect(e.name).toBe('GeometryError');
    expect(e.block).toBe('poolOutputSize');
    expect(e.argument).toBe('pad');
    expect(e.code).toBe('option');
  });

  it('carries the convnet-ts marker shared with every package', () => {
    const e = thrown(() => convOutputSize(0, { size: 3 })) as Record<symbol, unknown>;
    expect(e[Symbol.for('convnet-ts.error')]).toBe(true);
  });

  it('is recognised across copies of the package by its marker, not its class', () => {
    const foreign = Object.assign(new Error('x'), { [Symbol.for('convnet-ts.geometry.error')]: true });
    expect(isGeometryError(foreign)).toBe(true);
    expect(isGeometryError(new Error('x'))).toBe(false);
    expect(isGeometryError(null)).toBe(false);
    expect(isGeometryError('convOutputSize: …')).toBe(false);
    expect(isGeometryError(thrown(() => convOutputSize(2, { size: 3 })))).toBe(true);
  });

  it('keeps a cause when one is given', () => {
    const cause = new Error('inner');
    expect(new GeometryError('graph', 'f', undefined, 'outer', { cause }).cause).toBe(cause);
  });
});
