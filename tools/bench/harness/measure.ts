/**
 * Timing and memory of one stage on one item, the same way the Python peer does it: warmup runs,
 * then the kernel's peak-RSS mark (VmHWM) is reset through /proc/self/clear_refs, then timed repeats.
 * Under the interleaved harness (lockstep.ts) each side stops at a gate before each item's setup and
 * before each timed repeat, so the two sides never run at the same time and alternate A B A B.
 */
import fs from 'fs';

/** Reads a `kB` field (VmRSS, VmHWM) of /proc/self/status; null off Linux. */
export function procStatusKb(field: 'VmRSS' | 'VmHWM'): number | null {
  try {
    const line = fs
      .readFileSync('/proc/self/status', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${field}:`));
    return line ? Number(line.split(/\s+/)[1]) : null;
  } catch {
    return null;
  }
}

/** Resets the peak-RSS mark so VmHWM covers only what follows (Linux ≥ 4.0); false when refused. */
export function resetPeakRss(): boolean {
  try {
    fs.writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

/** Peak RSS since the last reset, in kB (falls back to the process-lifetime maximum). */
export function peakRssKb(): number {
  return procStatusKb('VmHWM') ?? process.resourceUsage().maxRSS;
}

/** Set by the harness (lockstep.ts) in the side's environment. */
export const LOCKSTEP_ENV = 'RSNA_MAMMO_BENCH_LOCKSTEP';
/** The line a side prints when it stops at a gate (stdout); the harness answers `go` on stdin. */
export const GATE_LINE = '{"gate":true}';

function readLineSync(): string {
  const buf = Buffer.alloc(1);
  let line = '';
  for (;;) {
    let n = 0;
    try {
      n = fs.readSync(0, buf, 0, 1, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
        continue;
      }
      throw e;
    }
    if (n === 0) throw new Error('bench gate: the harness closed stdin');
    const c = buf.toString('latin1');
    if (c === '\n') return line;
    line += c;
  }
}

/** Stops until the harness says go (lockstep mode only; a no-op otherwise). Blocks the thread on purpose: nothing may run meanwhile. */
export function gate(): void {
  if (process.env[LOCKSTEP_ENV] !== '1') return;
  fs.writeSync(1, `${GATE_LINE}\n`);
  readLineSync();
}

export interface Timed<T> {
  ms: number[];
  /** CPU time (user + system, all threads of the process) of each timed repeat: what load on other cores barely moves. */
  cpuMs: number[];
  last: T;
}

/** Runs `fn` `warmup` times untimed, resets the peak-RSS mark, then times `repeats` runs. */
export async function timeRepeated<T>(fn: () => Promise<T> | T, warmup: number, repeats: number): Promise<Timed<T>> {
  for (let i = 0; i < warmup; i++) await fn();
  resetPeakRss();
  const ms: number[] = [];
  const cpuMs: number[] = [];
  let last: T | undefined;
  for (let i = 0; i < Math.max(1, repeats); i++) {
    gate();
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    last = await fn();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
    const c = process.cpuUsage(c0);
    cpuMs.push((c.user + c.system) / 1000);
  }
  return { ms, cpuMs, last: last as T };
}
