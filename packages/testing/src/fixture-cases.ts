/**
 * The reference vectors of `fixtures/blocks.json` (float64, computed by an
 * independent brute-force implementation of the manual, itself checked
 * against TensorFlow.js), run through the public blocks on any backend.
 */
import {
  bnorm,
  bnormBackward,
  conv,
  convBackward,
  convt,
  convtBackward,
  loss,
  lossBackward,
  lrn,
  lrnBackward,
  pool,
  poolBackward,
  softmax,
} from '@convnet-ts/blocks';
import type { Backend, Tensor } from '@convnet-ts/tensor';
import fixtures from './fixtures/blocks.json' with { type: 'json' };

interface Stored {
  shape: number[];
  data: number[];
}

export interface FixtureCase {
  block: string;
  opts?: Record<string, unknown>;
  [key: string]: unknown;
}

export const fixtureCases = (fixtures as { cases: FixtureCase[] }).cases;

/** The outputs a case expects, by name (`y`, `dzdx`, …), and what the backend computed. */
export type FixtureOutputs = Record<string, { expected: number[]; actual: Tensor | number | null }>;

/** Runs one fixture case's forward and backward modes on `backend`. */
export function runFixture(backend: Backend, c: FixtureCase): FixtureOutputs {
  const t = (key: string): Tensor => {
    const s = c[key] as Stored;
    return backend.tensor(s.data, s.shape);
  };
  const want = (key: string): number[] => {
    const v = c[key] as Stored | number | null;
    return typeof v === 'number' ? [v] : v === null ? [] : v.data;
  };
  const opts = (c.opts ?? {}) as never;
  switch (c.block) {
    case 'conv': {
      const d = convBackward(t('x'), t('f'), t('b'), t('dzdy'), opts);
      return {
        y: { expected: want('y'), actual: conv(t('x'), t('f'), t('b'), opts) },
        dzdx: { expected: want('dzdx'), actual: d.dzdx },
        dzdf: { expected: want('dzdf'), actual: d.dzdf },
        dzdb: { expected: want('dzdb'), actual: d.dzdb },
      };
    }
    case 'convt': {
      const d = convtBackward(t('x'), t('f'), t('b'), t('dzdy'), opts);
      return {
        y: { expected: want('y'), actual: convt(t('x'), t('f'), t('b'), opts) },
        dzdx: { expected: want('dzdx'), actual: d.dzdx },
        dzdf: { expected: want('dzdf'), actual: d.dzdf },
        dzdb: { expected: want('dzdb'), actual: d.dzdb },
      };
    }
    case 'pool': {
      const size = c.size as [number, number];
      return {
        y: { expected: want('y'), actual: pool(t('x'), size, opts) },
        dzdx: { expected: want('dzdx'), actual: poolBackward(t('x'), size, t('dzdy'), opts) },
      };
    }
    case 'softmax':
      return { y: { expected: want('y'), actual: softmax(t('x')) } };
    case 'loss': {
      const out: FixtureOutputs = { y: { expected: want('y'), actual: loss(t('x'), t('labels'), opts) } };
      if (c.dzdx !== null) {
        out.dzdx = { expected: want('dzdx'), actual: lossBackward(t('x'), t('labels'), c.dzdy as number, opts) };
      }
      return out;
    }
    case 'bnorm': {
      const f = bnorm(t('x'), t('g'), t('b'), opts);
      const d = bnormBackward(t('x'), t('g'), t('b'), t('dzdy'), opts);
      return {
        y: { expected: want('y'), actual: f.y },
        moments: { expected: want('moments'), actual: f.moments },
        dzdx: { expected: want('dzdx'), actual: d.dzdx },
        dzdg: { expected: want('dzdg'), actual: d.dzdg },
        dzdb: { expected: want('dzdb'), actual: d.dzdb },
      };
    }
    case 'lrn': {
      const param = c.param as number[];
      return {
        y: { expected: want('y'), actual: lrn(t('x'), param) },
        dzdx: { expected: want('dzdx'), actual: lrnBackward(t('x'), param, t('dzdy')) },
      };
    }
    default:
      throw new Error(`fixtures: no runner for block '${c.block}'`);
  }
}
