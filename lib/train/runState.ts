/**
 * The state file of `rsna-mammo train run` ({MODEL_CHECKPOINT_DIR}/train_run_{mode}.state.json): which
 * step is done, running or failed, written atomically after every change so that a run killed at any
 * moment (kill -9 included) restarts where it was: finished steps are skipped, the others resume from
 * their own last checkpoint. The pid of the live run guards against two runs on the same folders.
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { RsnaMammoError } from '../errors';
import { writeFileAtomic } from '../util/writeFileAtomic';

export type StepStatus = 'pending' | 'running' | 'done' | 'failed' | 'skipped';

export interface StepState {
  status: StepStatus;
  /** Launches so far (a resumed step counts again). */
  attempts: number;
  /** Last epoch reported finished. */
  epoch: number | null;
  slot: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  message: string | null;
}

export interface RunState {
  version: 1;
  mode: string;
  /** The live run (null when none). */
  owner: { pid: number; host: string } | null;
  steps: Record<string, StepState>;
}

export function runStatePath(checkpointDir: string, mode: string): string {
  return path.join(checkpointDir, `train_run_${mode}.state.json`);
}

function emptyStep(): StepState {
  return { status: 'pending', attempts: 0, epoch: null, slot: null, startedAt: null, finishedAt: null, message: null };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The stored state of `file` (a fresh one when absent); ERR_RUN_STATE when unreadable. */
export function readRunState(file: string, mode: string, stepIds: string[]): RunState {
  let state: RunState = { version: 1, mode, owner: null, steps: {} };
  if (fs.existsSync(file)) {
    try {
      state = JSON.parse(fs.readFileSync(file, 'utf8')) as RunState;
    } catch (err) {
      throw new RsnaMammoError('ERR_RUN_STATE', `unreadable run state: ${(err as Error).message} (delete it to start over)`, { file });
    }
    if (state?.version !== 1 || typeof state.steps !== 'object' || state.mode !== mode) {
      throw new RsnaMammoError('ERR_RUN_STATE', `not a ${mode} run state (delete it to start over)`, { file });
    }
  }
  for (const id of stepIds) state.steps[id] = { ...emptyStep(), ...(state.steps[id] ?? {}) };
  return state;
}

/** Live store of the state: every mutation is written through atomically. */
export class RunStateStore {
  readonly state: RunState;

  constructor(readonly file: string, mode: string, stepIds: string[]) {
    this.state = readRunState(file, mode, stepIds);
  }

  /** Takes ownership; ERR_RUN_IN_PROGRESS when another live process on this host owns it. */
  acquire(): void {
    const o = this.state.owner;
    if (o && o.pid !== process.pid && o.host === os.hostname() && pidAlive(o.pid)) {
      throw new RsnaMammoError('ERR_RUN_IN_PROGRESS', `another train run (pid ${o.pid}) is using this state`, { file: this.file });
    }
    this.state.owner = { pid: process.pid, host: os.hostname() };
    this.save();
  }

  release(): void {
    this.state.owner = null;
    this.save();
  }

  update(id: string, patch: Partial<StepState>): StepState {
    this.state.steps[id] = { ...this.state.steps[id], ...patch };
    this.save();
    return this.state.steps[id];
  }

  save(): void {
    writeFileAtomic(this.file, `${JSON.stringify(this.state, null, 1)}\n`);
  }
}
