/**
 * Reading one MatConvNet layer's `block` struct (the class's saved
 * properties, `dagnn.Layer.save`): typed accessors that name the field's
 * path in errors, defaults filled as MatConvNet's constructors would (with a
 * note), MATLAB's `opts` cells parsed, and every field left unread reported
 * as dropped. Notes are grouped: one line per kind of change, listing the
 * layers it touched.
 */
import { asNumbers, asText, describe, isEmpty, MatFileError, type MatValue } from '@convnet-ts/matfile';

export const IMPORTER = 'loadMatConvNetDag';

/** Import notes, one line per message, naming the layers each concerns. */
export class Notes {
  readonly #byMessage = new Map<string, string[]>();

  add(message: string, layer = ''): void {
    const layers = this.#byMessage.get(message) ?? [];
    if (layer !== '' && !layers.includes(layer)) layers.push(layer);
    this.#byMessage.set(message, layers);
  }

  list(): string[] {
    return [...this.#byMessage].map(([message, layers]) => {
      if (layers.length === 0) return message;
      const shown = layers.slice(0, 5).map((l) => `'${l}'`).join(', ');
      const more = layers.length > 5 ? `, … (${layers.length} layers)` : '';
      return `${message} — layer${layers.length > 1 ? 's' : ''} ${shown}${more}`;
    });
  }
}

/** Fails with the importer's error, naming `path`. */
export function fail(path: string, message: string): never {
  throw new MatFileError('value', IMPORTER, path, message);
}

/** MATLAB's text of a value for notes (`[0 0 0 0]`, `{'cuDNN'}`, `'max'`). */
export function show(v: MatValue): string {
  if (v.type === 'char') return `'${v.text}'`;
  if (v.type === 'cell') return `{${v.data.map(show).join(', ')}}`;
  if ((v.type === 'numeric' || v.type === 'logical') && v.data.length <= 8) {
    const xs = asNumbers(v, '', IMPORTER).map((x) => (v.type === 'logical' ? (x ? 'true' : 'false') : String(x)));
    return xs.length === 1 ? xs[0]! : `[${xs.join(' ')}]`;
  }
  return describe(v);
}

/** An `opts` cell (`{'cuDNN'}`, `{'normalise', false}`) as flags and name/value pairs. */
export interface ParsedOpts {
  flags: string[];
  values: Map<string, MatValue>;
}

/** The fields of one layer's block, read by name; see the file's doc. */
export class BlockFields {
  readonly #fields: Readonly<Record<string, MatValue>>;
  readonly #used = new Set<string>();
  /** `layers(7).block`. */
  readonly path: string;
  /** The layer's name, for notes. */
  readonly layer: string;
  /** The MatConvNet class (`dagnn.Conv`). */
  readonly type: string;
  readonly notes: Notes;

  constructor(fields: Readonly<Record<string, MatValue>>, path: string, layer: string, type: string, notes: Notes) {
    this.#fields = fields;
    this.path = path;
    this.layer = layer;
    this.type = type;
    this.notes = notes;
  }

  has(name: string): boolean {
    return Object.hasOwn(this.#fields, name);
  }

  /** The raw value (marks it read); `undefined` when absent. */
  take(name: string): MatValue | undefined {
    this.#used.add(name);
    return this.has(name) ? this.#fields[name] : undefined;
  }

  /** Notes that `name` was missing and `value` (MatConvNet's default) was used. */
  filled(name: string, value: string, why = 'older MatConvNet files lack it'): void {
    this.notes.add(`${this.type}: block.${name} missing (${why}); MatConvNet's default ${value} used`, this.layer);
  }

  /** Numbers of field `name`, or `undefined` (noting the default) when absent or empty. */
  numbers(name: string, fallback?: string): number[] | undefined {
    const v = this.take(name);
    if (v === undefined || isEmpty(v)) {
      if (fallback !== undefined) this.filled(name, fallback);
      return undefined;
    }
    return asNumbers(v, `${this.path}.${name}`, IMPORTER);
  }

  /** A numeric or logical scalar. */
  scalar(name: string, fallback?: string): number | undefined {
    const xs = this.numbers(name, fallback);
    if (xs !== undefined && xs.length !== 1) fail(`${this.path}.${name}`, `expected a scalar, got ${xs.length} numbers`);
    return xs?.[0];
  }

  /** A logical (or 0/1) scalar. */
  flag(name: string, fallback?: string): boolean | undefined {
    const x = this.scalar(name, fallback);
    return x === undefined ? undefined : x !== 0;
  }

  /** A char row. */
  text(name: string, fallback?: string): string | undefined {
    const v = this.take(name);
    if (v === undefined) {
      if (fallback !== undefined) this.filled(name, fallback);
      return undefined;
    }
    return asText(v, `${this.path}.${name}`, IMPORTER);
  }

  /**
   * The `opts` cell, passed by MatConvNet to the block function after the
   * layer's own options (so its values win). Device flags (cuDNN choices)
   * are dropped, with a note unless it is the class's default flag
   * (`usual`); `known` names take the next element as value; anything else
   * throws, naming the option.
   */
  opts(known: readonly string[], fn: string, usual = ''): ParsedOpts {
    const v = this.take('opts');
    const out: ParsedOpts = { flags: [], values: new Map() };
    if (v === undefined || isEmpty(v)) return out;
    const path = `${this.path}.opts`;
    if (v.type !== 'cell') fail(path, `expected a cell of ${fn} options, got ${describe(v)}`);
    const items = v.data;
    for (let i = 0; i < items.length; i++) {
      const name = asText(items[i], `${path}{${i + 1}}`, IMPORTER);
      const lower = name.toLowerCase();
      if (lower === 'cudnn' || lower === 'nocudnn') {
        out.flags.push(name);
        if (lower !== usual.toLowerCase()) this.notes.add(`${this.type}: block.opts '${name}' dropped (a cuDNN choice of MatConvNet's GPU code; no effect on results)`, this.layer);
        continue;
      }
      if (lower === 'cudnnworkspacelimit') {
        i++;
        this.notes.add(`${this.type}: block.opts 'CudnnWorkspaceLimit' dropped (cuDNN only)`, this.layer);
        continue;
      }
      const key = known.find((k) => k.toLowerCase() === lower);
      if (key === undefined || i + 1 >= items.length) {
        fail(`${path}{${i + 1}}`, `option '${name}' of ${fn} is not supported here${key === undefined ? '' : ' (it has no value)'}; supported: ${known.join(', ') || 'none'}`);
      }
      out.values.set(key, items[++i]!);
    }
    return out;
  }

  /** Drops (with a note each) every field not read. */
  finish(why: Readonly<Record<string, string>> = {}): void {
    for (const name of Object.keys(this.#fields)) {
      if (this.#used.has(name)) continue;
      const reason = why[name] ?? 'not a property of this class in convnet-ts';
      this.notes.add(`${this.type}: block.${name} dropped (${reason})`, this.layer);
    }
  }
}
