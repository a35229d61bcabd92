/**
 * Runs the CLI in this process (lib/cli/main) with captured stdout/stderr: the one runner the CLI
 * tests share. main is required on the first call, so a test may set RSNA_MAMMO_* variables the
 * loaders read once before anything loads it.
 */
import { Writable } from 'stream';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** `rsna-mammo <args>` in-process; resolves to its exit code and what it wrote. */
export async function runCli(args: string[]): Promise<CliRun> {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { main } = require('../../lib/cli/main') as typeof import('../../lib/cli/main');
  let out = '';
  let err = '';
  const w = (f: (s: string) => void): Writable => new Writable({ write(c, _e, cb) { f(String(c)); cb(); } });
  const code = await main(args, { stdout: w((s) => (out += s)), stderr: w((s) => (err += s)) });
  return { code, out, err };
}
