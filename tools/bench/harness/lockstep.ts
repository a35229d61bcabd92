/**
 * The two sides of a row, interleaved: both child processes are started, each stops at a gate
 * (measure.ts `gate`, bench_peer.py `gate`) before each item's setup and before each timed repeat,
 * and this harness lets exactly one of them run to its next gate at a time: A B A B … So repeat r of
 * ours and repeat r of the original run back to back under the same machine load, and the ratio of
 * each such pair is what the row reports (compare.ts pairStats). Both sides are pinned to the same
 * CPUs with taskset where it exists.
 */
import { spawn, spawnSync, ChildProcess } from 'child_process';
import os from 'os';
import path from 'path';
import { GATE_LINE, LOCKSTEP_ENV } from './measure';

/** One side's command line (before pinning) and environment. */
export interface SideCommand {
  cmd: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

/** The CPUs a row at `threads` threads is pinned to: the last `threads` CPUs (both sides the same). */
export function pinnedCpus(threads: number, cpus = os.cpus().length): string {
  const n = Math.max(1, Math.min(threads, cpus));
  return n === 1 ? String(cpus - 1) : `${cpus - n}-${cpus - 1}`;
}

let tasksetOk: boolean | undefined;
/** Whether `taskset` runs here (util-linux); without it the sides are not pinned. */
export function hasTaskset(): boolean {
  tasksetOk ??= spawnSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' }).status === 0;
  return tasksetOk;
}

/** The command pinned to `cpus` (taskset -c), or unchanged where taskset is missing. */
export function pinned(c: SideCommand, cpus: string): SideCommand {
  return hasTaskset() ? { ...c, cmd: 'taskset', args: ['-c', cpus, c.cmd, ...c.args] } : c;
}

/** A side process: its stdout lines are gate stops or result lines. */
class Side {
  readonly child: ChildProcess;
  readonly results: string[] = [];
  private buffered = '';
  private err = '';
  private waiter?: (stopped: 'gate' | 'exit') => void;
  exited = false;
  exitCode: number | null = null;
  signal: NodeJS.Signals | null = null;

  constructor(readonly name: string, c: SideCommand) {
    this.child = spawn(c.cmd, c.args, { env: { ...c.env, [LOCKSTEP_ENV]: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout?.on('data', (d: Buffer) => this.onData(d.toString()));
    this.child.stderr?.on('data', (d: Buffer) => (this.err += d.toString()).length > 1e6 && (this.err = this.err.slice(-1e5)));
    this.child.stdin?.on('error', () => undefined); // a side that died: its exit is reported instead
    this.child.on('error', (e) => {
      this.err += `\n${e.message}`;
      this.onExit(null, null);
    });
    this.child.on('close', (code, signal) => this.onExit(code, signal));
  }

  private onData(text: string): void {
    this.buffered += text;
    let nl: number;
    while ((nl = this.buffered.indexOf('\n')) >= 0) {
      const line = this.buffered.slice(0, nl).trim();
      this.buffered = this.buffered.slice(nl + 1);
      if (line === GATE_LINE) this.stop('gate');
      else if (line.startsWith('{')) this.results.push(line);
    }
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.exited) return;
    this.exited = true;
    this.exitCode = code;
    this.signal = signal;
    this.stop('exit');
  }

  private stop(how: 'gate' | 'exit'): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.(how);
  }

  /** Resolves at the side's next gate or its exit; `go` first lets it run past the gate it waits at. */
  next(go: boolean): Promise<'gate' | 'exit'> {
    if (this.exited) return Promise.resolve('exit');
    const p = new Promise<'gate' | 'exit'>((resolve) => (this.waiter = resolve));
    if (go) this.child.stdin?.write('go\n');
    return p;
  }

  failure(timeoutMs: number): Error | undefined {
    if (this.exitCode === 0) return undefined;
    const last = this.err.trim().split('\n').filter(Boolean).slice(-1)[0] ?? '';
    const how = this.signal ? `on ${this.signal} (timeout ${timeoutMs / 1000} s?)` : String(this.exitCode);
    return new Error(`${path.basename(this.name)} exited ${how}: ${last}`);
  }
}

/** Per side: its result lines, and the error that ended it (a side that printed its lines and then failed still counts). */
export interface LockstepOutcome {
  lines: string[][];
  errors: Array<Error | undefined>;
}

/**
 * Runs the sides (two; one when the peer is missing) in lockstep: both start and run to their first gate (process start-up and model
 * loading overlap; nothing timed does), then A runs to its next gate, then B, and so on, until both
 * exit. `timeoutMs` bounds the whole batch; both sides are killed when it passes.
 */
export async function runLockstep(commands: SideCommand[], timeoutMs: number): Promise<LockstepOutcome> {
  const sides = commands.map((c) => new Side(c.cmd === 'taskset' ? c.args[2] : c.cmd, c));
  const timer = setTimeout(() => sides.forEach((s) => s.child.kill('SIGKILL')), timeoutMs);
  try {
    await Promise.all(sides.map((s) => s.next(false)));
    while (sides.some((s) => !s.exited)) {
      for (const s of sides) if (!s.exited) await s.next(true);
    }
  } finally {
    clearTimeout(timer);
  }
  return { lines: sides.map((s) => s.results), errors: sides.map((s) => s.failure(timeoutMs)) };
}
