/**
 * Timing and memory of one stage on one item, the same way the Python peer does it: warmup runs,
 * then the kernel's peak-RSS mark (VmHWM) is reset through /proc/self/clear_refs, then timed repeats.
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

export interface Timed<T> {
  ms: number[];
  last: T;
}

/** Runs `fn` `warmup` times untimed, resets the peak-RSS mark, then times `repeats` runs. */
export async function timeRepeated<T>(fn: () => Promise<T> | T, warmup: number, repeats: number): Promise<Timed<T>> {
  for (let i = 0; i < warmup; i++) await fn();
  resetPeakRss();
  const ms: number[] = [];
  let last: T | undefined;
  for (let i = 0; i < Math.max(1, repeats); i++) {
    const t0 = process.hrtime.bigint();
    last = await fn();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return { ms, last: last as T };
}
