import type { Tensor } from './tensor.js';

const scopes: Set<Tensor>[] = [];

/** Called by the Tensor constructor: the innermost open scope owns new tensors. */
export function trackInScope(t: Tensor): void {
  scopes[scopes.length - 1]?.add(t);
}

function collectTensors(value: unknown, into: Set<Tensor>, depth = 0): void {
  if (value === null || typeof value !== 'object' || depth > 4) return;
  if ('storage' in value && 'backend' in value && 'shape' in value) {
    into.add(value as Tensor);
    return;
  }
  const items = Array.isArray(value) ? value : Object.values(value);
  for (const v of items) collectTensors(v, into, depth + 1);
}

/**
 * Runs `fn` and disposes every tensor created inside it, except those it
 * returns (found in the result, its arrays and plain objects) and those passed
 * to `keep`. Scopes nest; a kept or returned tensor moves to the enclosing scope.
 */
export function scope<T>(fn: () => T): T {
  const owned = new Set<Tensor>();
  scopes.push(owned);
  let result: T;
  try {
    result = fn();
  } catch (err) {
    scopes.pop();
    for (const t of owned) t.dispose();
    throw err;
  }
  scopes.pop();
  const survivors = new Set<Tensor>();
  collectTensors(result, survivors);
  for (const t of owned) {
    if (survivors.has(t) || kept.has(t)) {
      kept.delete(t);
      trackInScope(t);
    } else {
      t.dispose();
    }
  }
  return result;
}

const kept = new WeakSet<Tensor>() as WeakSet<Tensor> & { delete(t: Tensor): boolean };

/** Exempts a tensor from disposal by the enclosing `scope`. */
export function keep<T extends Tensor>(t: T): T {
  kept.add(t);
  return t;
}
