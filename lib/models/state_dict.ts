/**
 * State dicts: picking the weights out of a checkpoint (timm: `state_dict_ema` by default; YOLOX:
 * `model`), and a strict accessor that records every missing, unexpected and mis-shaped key while an
 * architecture is built, then fails with one error listing the first offenders (like torch's strict
 * `load_state_dict`).
 */
import { RsnaMammoError } from '../errors';
import { PickleObject, TorchTensor } from './torch/pickle_values';

export type StateDict = Map<string, TorchTensor>;

function asMap(v: unknown): Map<unknown, unknown> | undefined {
  if (v instanceof Map) return v;
  if (v instanceof PickleObject && v.state instanceof Map) return v.state;
  return undefined;
}

/** Keeps the tensor entries of a dict-like value, strips a `module.` (DataParallel/DDP) prefix. */
function toStateDict(v: Map<unknown, unknown>): StateDict {
  const sd: StateDict = new Map();
  for (const [k, t] of v) {
    if (typeof k === 'string' && t instanceof TorchTensor) sd.set(k.startsWith('module.') ? k.slice(7) : k, t);
  }
  return sd;
}

/**
 * The state dict inside a checkpoint. `keys` are tried in order (e.g. `['state_dict_ema',
 * 'model_ema', 'state_dict', 'model']`); a checkpoint that is itself a state dict is accepted.
 * @throws RsnaMammoError ERR_CHECKPOINT_NO_WEIGHTS
 */
export function pickStateDict(checkpoint: unknown, keys: string[], file: string): { stateDict: StateDict; key: string } {
  const top = asMap(checkpoint);
  if (!top) throw new RsnaMammoError('ERR_CHECKPOINT_NO_WEIGHTS', 'checkpoint is not a dict', { file });
  for (const key of keys) {
    const inner = asMap(top.get(key));
    if (inner) return { stateDict: toStateDict(inner), key };
  }
  const direct = toStateDict(top);
  if (direct.size > 0 && direct.size === top.size) return { stateDict: direct, key: '<root>' };
  const found = [...top.keys()].map(String).slice(0, 12).join(', ');
  throw new RsnaMammoError('ERR_CHECKPOINT_NO_WEIGHTS', `checkpoint has none of the weight entries ${keys.join(' / ')} (top-level keys: ${found})`, { file });
}

const LIST_LIMIT = 5;

function listFirst(items: string[]): string {
  return items.slice(0, LIST_LIMIT).join(', ') + (items.length > LIST_LIMIT ? `, ... (${items.length} in all)` : '');
}

/** Strict weight access for one architecture build. */
export class WeightReader {
  private readonly used = new Set<string>();
  private readonly missing: string[] = [];
  private readonly mismatched: string[] = [];
  private readonly ignored: RegExp[] = [];
  /** Every (key, shape) the architecture asked for, in build order. */
  readonly expected: [string, number[]][] = [];

  constructor(
    private readonly stateDict: StateDict,
    private readonly file: string,
    private readonly architecture: string,
    /** Dry run: only record `expected`; weights come back empty (used to list an architecture's keys). */
    private readonly dryRun = false,
  ) {}

  /** Keys matching `pattern` are allowed to stay unused (e.g. BatchNorm `num_batches_tracked`). */
  ignore(pattern: RegExp): void {
    this.ignored.push(pattern);
  }

  has(key: string): boolean {
    return this.stateDict.has(key);
  }

  /** Shape of `key` in the state dict, if present. */
  shapeOf(key: string): number[] | undefined {
    return this.stateDict.get(key)?.shape;
  }

  /** The float32 values of `key`, which must have exactly `shape`; zeros (recorded) when not. */
  float32(key: string, shape: number[]): Float32Array {
    this.used.add(key);
    this.expected.push([key, shape]);
    if (this.dryRun) return new Float32Array(0);
    const t = this.stateDict.get(key);
    const numel = shape.reduce((a, b) => a * b, 1);
    if (!t) {
      this.missing.push(key);
      return new Float32Array(numel);
    }
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      this.mismatched.push(`${key} [${t.shape}] (expected [${shape}])`);
      return new Float32Array(numel);
    }
    if (t.data instanceof Float32Array) return t.data;
    if (t.data instanceof BigInt64Array) return Float32Array.from(t.data, (v) => Number(v));
    return Float32Array.from(t.data as ArrayLike<number>);
  }

  /** Throws one error listing the first missing, mis-shaped and unexpected keys, if any. */
  finish(): void {
    const unexpected = [...this.stateDict.keys()].filter((k) => !this.used.has(k) && !this.ignored.some((re) => re.test(k)));
    if (this.missing.length + this.mismatched.length + unexpected.length === 0) return;
    const parts: string[] = [];
    if (this.missing.length) parts.push(`missing keys: ${listFirst(this.missing)}`);
    if (this.mismatched.length) parts.push(`wrong shapes: ${listFirst(this.mismatched)}`);
    if (unexpected.length) parts.push(`unexpected keys: ${listFirst(unexpected)}`);
    throw new RsnaMammoError('ERR_ARCH_MISMATCH', `weights do not fit ${this.architecture}: ${parts.join('; ')}`, { file: this.file });
  }
}
