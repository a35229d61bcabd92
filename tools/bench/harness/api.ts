/**
 * Looks up the rsna-mammo functions a stage adapter needs, at run time, so that a build where an
 * area has not landed yet reports the stage as "not available" (naming what is missing) instead of
 * failing to compile or faking a number.
 */
import fs from 'fs';
import path from 'path';
import { packageRoot } from '../../../lib/util/packageRoot';

type Exports = Record<string, unknown>;

/**
 * Loads the compiled dist/<rel> (what users run; `npm run bench` builds it first), else lib/<rel> from
 * source; undefined when that module is not in this build, the error line when it fails. From dist,
 * no TypeScript compiler sits in the side's memory (nor in its worker threads): peak RSS is the product's.
 */
function load(rel: string): Exports | undefined | string {
  const dist = path.join(packageRoot, 'dist', rel);
  const target = fs.existsSync(path.join(dist, 'index.js')) ? dist : path.join(packageRoot, 'lib', rel);
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
