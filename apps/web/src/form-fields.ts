/** The training forms' shared pieces: a checked number field, and the solver settings following the network choice. */
import type { LenetVariant } from './lenet.js';

/** `name`'s value as a number in [min, max] (an integer when asked), or an Error saying what is wrong. */
export function numberField(data: FormData, name: string, integer: boolean, min: number, max = Number.POSITIVE_INFINITY): number {
  const v = Number(data.get(name));
  if (!Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    const range = max === Number.POSITIVE_INFINITY ? `≥ ${min}` : `in [${min}, ${max}]`;
    throw new Error(`${name} must be ${integer ? 'an integer' : 'a number'} ${range}, got '${String(data.get(name))}'`);
  }
  return v;
}

/** When the form's `variant` changes, sets its learning rate and weight decay to that network's defaults. */
export function followVariant(form: HTMLFormElement, defaults: Readonly<Record<LenetVariant, { learningRate: number; weightDecay: number }>>): void {
  const variant = form.elements.namedItem('variant') as HTMLSelectElement;
  variant.addEventListener('change', () => {
    const d = defaults[variant.value as LenetVariant];
    (form.elements.namedItem('learningRate') as HTMLInputElement).value = String(d.learningRate);
    (form.elements.namedItem('weightDecay') as HTMLInputElement).value = String(d.weightDecay);
  });
}
