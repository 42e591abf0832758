import { describe, expect, it } from 'vitest';
import { ConvnetError, isConvnetError, OptionError, ShapeError } from './errors.js';

describe('errors', () => {
  it('prefix the message with the block and keep block and argument', () => {
    const e = new ShapeError('conv', 'f', 'filter depth 4 does not divide input channels 6');
    expect(e.message).toBe('conv: filter depth 4 does not divide input channels 6');
    expect(e.block).toBe('conv');
    expect(e.argument).toBe('f');
    expect(e.code).toBe('shape');
    expect(e.name).toBe('ShapeError');
    expect(e).toBeInstanceOf(ConvnetError);
  });

  it('are recognised across copies of the package by their marker', () => {
    expect(isConvnetError(new OptionError('pool', 'method', 'x'))).toBe(true);
    const foreign = Object.assign(new Error('x'), { [Symbol.for('convnet-ts.error')]: true });
    expect(isConvnetError(foreign)).toBe(true);
    expect(isConvnetError(new Error('x'))).toBe(false);
    expect(isConvnetError(null)).toBe(false);
  });
});
