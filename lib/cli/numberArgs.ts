/** Numeric CLI option values (`--lr 1e-3`, `--shape 2,3,416,416`) with ERR_INVALID_ARGUMENT naming the option. */
import { invalidArgument } from '../errors';

/** A finite number; `fallback` when the option is absent (required when no fallback). */
export function numberArg(name: string, v: string | undefined, fallback?: number): number {
  if (v === undefined) {
    if (fallback === undefined) throw invalidArgument(name, 'a number', v);
    return fallback;
  }
  const x = Number(v);
  if (!Number.isFinite(x)) throw invalidArgument(name, 'a number', v);
  return x;
}

/** A comma-separated list of finite numbers (integers when `integer`). */
export function numberListArg(name: string, v: string | undefined, integer = false): number[] {
  if (v === undefined) throw invalidArgument(name, 'a comma-separated list of numbers', v);
  const out = v.split(',').map(Number);
  if (out.length === 0 || out.some((x) => !Number.isFinite(x) || (integer && !Number.isInteger(x)))) {
    throw invalidArgument(name, `a comma-separated list of ${integer ? 'integers' : 'numbers'}`, v);
  }
  return out;
}
