/** Shared bits of the models tests: tolerance checks, temp dirs, CLI capture, the optional Python torch peer. */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { spawnSync } from 'child_process';
import { Writable } from 'stream';

/** Largest |a−b|, and whether every element satisfies |a−b| ≤ atol + rtol·|b|. */
export function compare(a: ArrayLike<number>, b: ArrayLike<number>, atol: number, rtol = 0): { maxAbs: number; ok: boolean; worst: number } {
  if (a.length !== b.length) return { maxAbs: Infinity, ok: false, worst: -1 };
  let maxAbs = 0;
  let ok = true;
  let worst = -1;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= atol + rtol * Math.abs(b[i]))) { ok = false; worst = i; }
    if (d > maxAbs || Number.isNaN(d)) maxAbs = Number.isNaN(d) ? Infinity : d;
  }
  return { maxAbs, ok, worst };
}

export function tmpDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `rsna-models-${prefix}-`));
}

export function capture(): { io: { stdout: Writable; stderr: Writable }; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const mk = (f: (s: string) => void) => new Writable({ write(chunk, _enc, cb) { f(String(chunk)); cb(); } });
  return { io: { stdout: mk((s) => (out += s)), stderr: mk((s) => (err += s)) }, out: () => out, err: () => err };
}

/** Debian's /usr/bin/python3 with torch (scripts/apt-packages-bench.txt), if installed. */
export function pythonTorch(): string | undefined {
  const py = '/usr/bin/python3';
  if (!fs.existsSync(py)) return undefined;
  const r = spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' });
  return r.status === 0 ? py : undefined;
}

export function needsPythonTorch(): { skip: string | false } {
  return { skip: pythonTorch() ? false : '/usr/bin/python3 with torch (apt python3-torch) is absent: torch cross-check skipped' };
}

/** Counts event-loop turns (setImmediate) while `p` is pending: > a few means the work ran elsewhere. */
export async function turnsDuring(p: Promise<unknown>): Promise<number> {
  let turns = 0;
  let done = false;
  const spin = () => { if (!done) { turns++; setImmediate(spin); } };
  spin();
  try {
    await p;
  } finally {
    done = true;
  }
  return turns;
}
