/**
 * The native trainer `build-train/rsna-mammo-train` (native/train, built by scripts/build-train.js):
 * finding it, running one subcommand, and reading its JSON-line events. Its `error` events become
 * RsnaMammoError with the native code; stderr is the log (forwarded, never parsed).
 */
import { spawn, spawnSync } from 'child_process';
import fs from 'fs';
import path from 'path';
import { RsnaMammoError } from '../errors';

/** One JSON line of the executable (`{"event":"progress",...}`). */
export interface TrainEvent {
  event: string;
  [key: string]: unknown;
}

export interface TrainExecutableStatus {
  built: boolean;
  path: string | null;
  reason: string | null;
}

const ROOT = path.resolve(__dirname, '..', '..');

/** Where the executable is (RSNA_MAMMO_TRAIN_BIN overrides the build folder). */
export function trainExecutablePath(env: NodeJS.ProcessEnv = process.env): string {
  return env.RSNA_MAMMO_TRAIN_BIN || path.join(ROOT, 'build-train', 'rsna-mammo-train');
}

/** Whether the trainer is built, and why not. */
export function trainExecutableStatus(env: NodeJS.ProcessEnv = process.env): TrainExecutableStatus {
  const file = trainExecutablePath(env);
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return { built: true, path: file, reason: null };
  } catch {
    return {
      built: false,
      path: null,
      reason: `${path.relative(ROOT, file) || file} is not built (needs cmake, libtorch and OpenCV: npm run build:train)`,
    };
  }
}

/** The executable's path, or ERR_TRAINER_NOT_BUILT. */
export function requireTrainExecutable(): string {
  const s = trainExecutableStatus();
  if (!s.built) throw new RsnaMammoError('ERR_TRAINER_NOT_BUILT', s.reason ?? 'the trainer is not built');
  return s.path as string;
}

/** `rsna-mammo-train info` (synchronous; null when it does not run). */
export function trainExecutableInfo(): TrainEvent | null {
  const s = trainExecutableStatus();
  if (!s.built) return null;
  const r = spawnSync(s.path as string, ['info'], { encoding: 'utf8', timeout: 20000 });
  const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith('{'));
  try {
    return line ? (JSON.parse(line) as TrainEvent) : null;
  } catch {
    return null;
  }
}

export interface RunTrainOptions {
  /** Called for every JSON event except `error` (which rejects). */
  onEvent?: (e: TrainEvent) => void;
  /** Called with each stderr chunk (the native log); default: discarded. */
  onLog?: (text: string) => void;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Signal sent to the child when `signal` aborts (default SIGTERM). */
  killSignal?: NodeJS.Signals;
}

/** Parses one stdout line; non-JSON lines are treated as log text. */
function parseLine(line: string): TrainEvent | null {
  if (!line.startsWith('{')) return null;
  try {
    const v = JSON.parse(line) as TrainEvent;
    return typeof v?.event === 'string' ? v : null;
  } catch {
    return null;
  }
}

/**
 * Runs `rsna-mammo-train <subcommand> ...args`; resolves with every event when it exits 0, rejects
 * with RsnaMammoError (the native error event's code, or ERR_TRAINER_CRASHED) otherwise.
 */
export function runTrainExecutable(subcommand: string, args: string[], options: RunTrainOptions = {}): Promise<TrainEvent[]> {
  const bin = requireTrainExecutable();
  return new Promise((resolve, reject) => {
    const child = spawn(bin, [subcommand, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env, signal: options.signal, killSignal: options.killSignal });
    const events: TrainEvent[] = [];
    let error: TrainEvent | null = null;
    let pending = '';
    let stderrTail = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl).trim();
        pending = pending.slice(nl + 1);
        const ev = parseLine(line);
        if (!ev) {
          if (line) options.onLog?.(`${line}\n`);
          continue;
        }
        if (ev.event === 'error') error = ev;
        else {
          events.push(ev);
          options.onEvent?.(ev);
        }
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-2000);
      options.onLog?.(chunk);
    });
    child.on('error', (err) => reject(new RsnaMammoError('ERR_TRAINER_CRASHED', `cannot run ${bin}: ${err.message}`, { cause: err })));
    child.on('close', (code, signal) => {
      const last = parseLine(pending.trim());
      if (last?.event === 'error') error = last;
      else if (last) events.push(last);
      if (code === 0) return resolve(events);
      if (error) return reject(new RsnaMammoError(String(error.code ?? 'ERR_TRAIN_NATIVE'), String(error.message ?? 'trainer failed')));
      const tail = stderrTail.trim().split('\n').slice(-3).join(' | ');
      reject(new RsnaMammoError('ERR_TRAINER_CRASHED', `rsna-mammo-train ${subcommand} ${signal ? `was killed by ${signal}` : `exited with ${code}`}${tail ? `: ${tail}` : ''}`));
    });
  });
}
