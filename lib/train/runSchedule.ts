/**
 * Dependency scheduling of training jobs over slots (one GPU each, or CPU slots): a job starts when
 * all the jobs it depends on are done and a slot is free, lowest job first; a failure stops new
 * launches, lets running jobs finish, and rejects. Finished jobs (state `done`) are never relaunched.
 */
import { RsnaMammoError } from '../errors';
import { RunStateStore } from './runState';

export interface Slot {
  id: string;
  /** Extra environment of a job on this slot (CUDA_VISIBLE_DEVICES). */
  env: Record<string, string>;
  device: 'cpu' | 'cuda';
}

export interface Job {
  id: string;
  dependsOn: string[];
}

/** Runs one job on one slot; resolves when it finished successfully. */
export type JobLauncher = (job: Job, slot: Slot, signal: AbortSignal) => Promise<void>;

export async function runSchedule(jobs: Job[], slots: Slot[], store: RunStateStore, launch: JobLauncher, signal?: AbortSignal): Promise<void> {
  if (slots.length === 0) throw new RsnaMammoError('ERR_INVALID_ARGUMENT', 'no slot to run training jobs on');
  const ids = new Set(jobs.map((j) => j.id));
  for (const j of jobs) {
    for (const d of j.dependsOn) if (!ids.has(d)) throw new RsnaMammoError('ERR_INVALID_ARGUMENT', `job ${j.id} depends on unknown job ${d}`);
  }
  const status = (id: string) => store.state.steps[id].status;
  const free = [...slots];
  const running = new Map<string, Promise<void>>();
  const stop = new AbortController();
  signal?.addEventListener('abort', () => stop.abort(), { once: true });
  let failure: unknown = null;

  const ready = () => jobs.filter((j) => status(j.id) !== 'done' && status(j.id) !== 'skipped' && !running.has(j.id) &&
    j.dependsOn.every((d) => status(d) === 'done'));

  for (;;) {
    while (failure === null && !stop.signal.aborted && free.length > 0 && ready().length > 0) {
      const job = ready()[0];
      const slot = free.shift() as Slot;
      const prev = store.state.steps[job.id];
      store.update(job.id, { status: 'running', attempts: prev.attempts + 1, slot: slot.id, startedAt: new Date().toISOString(), finishedAt: null, message: null });
      const p = launch(job, slot, stop.signal).then(
        () => {
          store.update(job.id, { status: 'done', finishedAt: new Date().toISOString() });
        },
        (err: unknown) => {
          store.update(job.id, { status: 'failed', finishedAt: new Date().toISOString(), message: String((err as Error)?.message ?? err) });
          if (failure === null) failure = err;
        },
      ).finally(() => {
        running.delete(job.id);
        free.push(slot);
        free.sort((a, b) => slots.indexOf(a) - slots.indexOf(b));
      });
      running.set(job.id, p);
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }
  if (failure !== null) throw failure;
  if (stop.signal.aborted) throw new RsnaMammoError('ERR_ABORTED', 'training run aborted');
  const left = jobs.filter((j) => status(j.id) !== 'done' && status(j.id) !== 'skipped');
  if (left.length) {
    throw new RsnaMammoError('ERR_RUN_BLOCKED', `jobs ${left.map((j) => j.id).join(', ')} cannot start: a dependency did not finish`);
  }
}
