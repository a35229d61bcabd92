/**
 * Makes sure an output folder (SUBMISSION_DIR, `--out`'s folder) can hold our files before a run
 * spends hours: created one level at a time (never an open-ended recursive mkdir: under /proc that
 * never ends), refused under /proc, /sys and /dev, and checked writable. Every problem is one
 * ERR_OUTPUT_DIR naming the folder and the reason (ENOTDIR, EACCES, EPERM, EROFS…).
 */
import fs from 'fs';
import path from 'path';
import { RsnaMammoError, invalidArgument } from '../errors';

const PSEUDO_FS = ['/proc', '/sys', '/dev'];

/**
 * Creates `dir` (and missing parents) and checks it is a writable folder.
 * @returns the absolute folder path
 * @throws RsnaMammoError ERR_OUTPUT_DIR
 */
export function ensureOutputDir(dir: string, what = 'output folder'): string {
  if (typeof dir !== 'string' || !dir) throw invalidArgument(what, 'a folder path', dir);
  const abs = path.resolve(dir);
  const fail = (reason: string, cause?: unknown): never => {
    throw new RsnaMammoError('ERR_OUTPUT_DIR', `${what} cannot be used: ${reason}`, { file: abs, cause });
  };
  // The nearest existing ancestor, resolved through symlinks, says where the folder really is.
  const missing: string[] = [];
  let existing = abs;
  while (!fs.existsSync(existing)) {
    missing.unshift(path.basename(existing));
    const parent = path.dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  let real: string;
  try {
    real = fs.realpathSync(existing);
  } catch (err) {
    return fail(`${(err as NodeJS.ErrnoException).code ?? 'cannot resolve'} at ${existing}`, err);
  }
  if (PSEUDO_FS.some((p) => real === p || real.startsWith(`${p}/`))) fail(`${real} is on a kernel pseudo-filesystem`);
  if (!fs.statSync(real).isDirectory()) fail(`ENOTDIR: ${existing} is not a folder`);
  let at = real;
  for (const name of missing) {
    at = path.join(at, name);
    try {
      fs.mkdirSync(at);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') fail(`${(err as NodeJS.ErrnoException).code ?? 'mkdir failed'} creating ${at}`, err);
    }
  }
  try {
    fs.accessSync(at, fs.constants.W_OK | fs.constants.X_OK);
  } catch (err) {
    fail(`${(err as NodeJS.ErrnoException).code ?? 'not writable'}: the folder is not writable`, err);
  }
  return abs;
}
