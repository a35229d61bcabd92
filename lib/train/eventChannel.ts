/**
 * A side channel for training events between `rsna-mammo train run` and its step processes: the parent
 * opens a pipe as fd 3 of the child and sets RSNA_MAMMO_TRAIN_EVENTS_FD=3; the child (e.g. `train
 * classifier`) forwards each native event as one JSON line there, so its stdout stays human text.
 */
import fs from 'fs';
import type { TrainEvent } from './executable';

export const EVENTS_FD_ENV = 'RSNA_MAMMO_TRAIN_EVENTS_FD';

let fd: number | null | undefined;

/** Forwards `e` to the parent's event pipe when this process has one (no-op otherwise). */
export function forwardTrainEvent(e: TrainEvent, env: NodeJS.ProcessEnv = process.env): void {
  if (fd === undefined) {
    const v = Number(env[EVENTS_FD_ENV]);
    fd = Number.isInteger(v) && v > 2 ? v : null;
  }
  if (fd === null) return;
  try {
    fs.writeSync(fd, `${JSON.stringify(e)}\n`);
  } catch {
    fd = null; // the parent went away: keep training, stop forwarding
  }
}
