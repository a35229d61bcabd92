/**
 * Looks up the rsna-mammo functions a stage adapter needs, at run time, so that a build where an
 * area has not landed yet reports the stage as "not available" (naming what is missing) instead of
 * failing to compile or faking a number.
 */
import path from 'path';
import { packageRoot } from '../../../lib/util/packageRoot';

type Exports = Record<string, unknown>;

/** Loads lib/<rel>; undefined when that module is not in this build, the error line when it fails. */
function load(rel: string): Exports | undefined | string {
  const target = path.join(packageRoot, 'lib', rel);
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    return require(target) as Exports;
  } catch (e) {
    const err = e as { code?: string; message?: string };
    const message = String(err.message).split('\n')[0];
    if (err.code === 'MODULE_NOT_FOUND' && message.includes(`'${target}'`)) return undefined;
    return `lib/${rel} failed to load: ${message}`;
  }
}

/** Loads `lib/<area>` and returns it when every name in `fns` is a function there, else the reason. */
export function libApi<T>(area: string, fns: string[]): T | string {
  const mod = load(area);
  if (typeof mod === 'string') return mod;
  if (!mod) return `lib/${area} is not in this build`;
  const missing = fns.filter((f) => typeof mod[f] !== 'function');
  if (missing.length) return `lib/${area} has no ${missing.join(', ')} in this build`;
  return mod as T;
}

/** The first reason among several lookups, or undefined when all resolved. */
export function firstMissing(...lookups: unknown[]): string | undefined {
  return lookups.find((l): l is string => typeof l === 'string');
}
