/**
 * `rsna-mammo train run`: the six ConvNeXt steps of the plan (ALGORITHMS.md §9.3) with their
 * dependencies (5 after 3, 6 after 4), one step per GPU slot (the child sees only its GPU through
 * CUDA_VISIBLE_DEVICES) or N CPU slots, YOLOX first when its checkpoint is missing (§12.2: `train yolox`, then
 * `select-yolox` copies best_ckpt.pth to MODEL_FINAL_SELECTION_DIR and converts it, §11.5), a live view,
 * and resumability: the state file says which steps are done, and every launch passes --resume so a
 * step killed mid-way continues from its own last checkpoint (lib/train/runState.ts).
 */
import { spawn } from 'child_process';
import fs from 'fs';
import path from 'path';
import readline from 'readline';
import { RsnaMammoError } from '../errors';
import { Settings } from '../settings';
import { modelFiles } from '../run/modelFiles';
import { EVENTS_FD_ENV } from './eventChannel';
import { ReproduceMode, trainingPlan, TrainStep } from './plan';
import { runStatePath, RunStateStore } from './runState';
import { Job, runSchedule, Slot } from './runSchedule';
import { RunView } from './runView';

const CLI = path.resolve(__dirname, '..', '..', 'bin', 'rsna-mammo.js');

export interface TrainRunOptions {
  mode: ReproduceMode;
  settings: Settings;
  /** Passed on to the steps (they resolve the same folders). */
  settingsFile?: string;
  /** GPU ids, one step per GPU; absent: CPU. */
  gpus?: string[];
  /** CPU slots (default 1: sequential). */
  parallel?: number;
  /** Only these plan steps (default all six). */
  steps?: number[];
  /** argv of the per-step trainer before its options (default: this package's `train classifier`). */
  stepCommand?: string[];
  /** Options added to every step (e.g. --epochs 2 --batch-size 2 for a scaled-down run). */
  stepArgs?: string[];
  /**
   * Stage-2 init (steps 5/6): 'plan' = the step's own choice (checkpoint-24 of its stage-1 step, §9.3);
   * 'last' = the stage-1 step's last.pth.tar (scaled-down runs with fewer epochs).
   */
  stage2Init?: 'plan' | 'last';
  /** What to do about a missing YOLOX checkpoint: train it first ('auto') or not ('skip'). */
  yolox?: 'auto' | 'skip';
  /** argv of the YOLOX training (default: this package's `train yolox`, when that command exists). */
  yoloxCommand?: string[];
  /** argv of the YOLOX selection run after it (default: this package's `select-yolox`). */
  selectYoloxCommand?: string[];
  out: NodeJS.WritableStream & { isTTY?: boolean };
  /** Force plain lines / live redraw (default: live on a TTY). */
  live?: boolean;
  signal?: AbortSignal;
}

export interface TrainRunResult {
  stateFile: string;
  steps: { step: number; experiment: string; outputDir: string; status: string; attempts: number }[];
  yolox: 'present' | 'trained' | 'skipped';
}

/** Slots from --gpus (one each) or --parallel CPU slots. */
export function makeSlots(gpus: string[] | undefined, parallel = 1): Slot[] {
  if (gpus && gpus.length) return gpus.map((g) => ({ id: `gpu${g}`, env: { CUDA_VISIBLE_DEVICES: g }, device: 'cuda' }));
  return Array.from({ length: Math.max(1, parallel) }, (_, i) => ({ id: `cpu${i}`, env: { CUDA_VISIBLE_DEVICES: '' }, device: 'cpu' }));
}

interface ChildSpec {
  argv: string[];
  env: NodeJS.ProcessEnv;
  logFile: string;
  onEvent: (e: Record<string, unknown>) => void;
  signal: AbortSignal;
}

/** Spawns one step process: stdout/stderr appended to its log file, events read from fd 3. */
function runChild(spec: ChildSpec): Promise<void> {
  return new Promise((resolve, reject) => {
    fs.mkdirSync(path.dirname(spec.logFile), { recursive: true });
    const log = fs.openSync(spec.logFile, 'a');
    const [cmd, ...args] = spec.argv;
    const child = spawn(cmd, args, { stdio: ['ignore', log, log, 'pipe'], env: { ...spec.env, [EVENTS_FD_ENV]: '3' } });
    fs.closeSync(log);
    const events = child.stdio[3] as NodeJS.ReadableStream;
    readline.createInterface({ input: events }).on('line', (line) => {
      try {
        const e = JSON.parse(line) as Record<string, unknown>;
        if (e && typeof e.event === 'string') spec.onEvent(e);
      } catch {
        /* not an event line */
      }
    });
    const onAbort = () => child.kill('SIGTERM');
    spec.signal.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err) => reject(new RsnaMammoError('ERR_TRAINER_CRASHED', `cannot start ${cmd}: ${err.message}`)));
    child.on('close', (code, sig) => {
      spec.signal.removeEventListener('abort', onAbort);
      if (code === 0) return resolve();
      let tail = '';
      try {
        tail = fs.readFileSync(spec.logFile, 'utf8').trim().split('\n').slice(-3).join(' | ');
      } catch {
        /* no log */
      }
      reject(new RsnaMammoError('ERR_TRAIN_STEP_FAILED', `${sig ? `killed by ${sig}` : `exited with ${code}`}${tail ? `: ${tail}` : ''} (log ${spec.logFile})`));
    });
  });
}

/** Whether a CLI command file exists in this build (commands are discovered at run time). */
function hasCliCommand(file: string): boolean {
  const dir = path.resolve(__dirname, '..', 'cli', 'commands');
  return fs.existsSync(path.join(dir, `${file}.js`)) || fs.existsSync(path.join(dir, `${file}.ts`));
}

function stepJob(s: TrainStep): Job {
  return { id: String(s.step), dependsOn: s.depends_on.map(String) };
}

export async function runTraining(o: TrainRunOptions): Promise<TrainRunResult> {
  const checkpointDir = o.settings.MODEL_CHECKPOINT_DIR;
  const plan = trainingPlan(o.mode, o.settings).filter((s) => !o.steps || o.steps.includes(s.step));
  if (plan.length === 0) throw new RsnaMammoError('ERR_INVALID_ARGUMENT', '--steps selects no step of the plan (1..6)');
  const chosen = new Set(plan.map((s) => s.step));
  const stateFile = runStatePath(checkpointDir, o.mode);
  const ids = ['yolox', 'select-yolox', ...plan.map((s) => String(s.step))];
  const store = new RunStateStore(stateFile, o.mode, ids);
  store.acquire();
  const view = new RunView(o.out, o.live ?? Boolean(o.out.isTTY));
  const settingsArgs = o.settingsFile ? ['--settings', o.settingsFile] : [];
  let yolox: TrainRunResult['yolox'] = 'present';
  try {
    // YOLOX first (the classification crops need it, §12.2), on the first slot: training, then
    // select-yolox (§11.5), each a job of the state file (a rerun skips what is done).
    const yoloxCkpt = modelFiles('reproduce', o.settings).detectorCheckpoint;
    const st = (id: string) => store.state.steps[id].status;
    const skipBoth = (message: string) => {
      for (const id of ['yolox', 'select-yolox']) if (st(id) !== 'done') store.update(id, { status: 'skipped', message });
    };
    if (st('select-yolox') === 'done' || (st('yolox') !== 'done' && fs.existsSync(yoloxCkpt))) {
      skipBoth(`present: ${yoloxCkpt}`);
    } else if (o.yolox === 'skip' && st('yolox') !== 'done') {
      yolox = 'skipped';
      skipBoth('skipped (--yolox skip)');
      view.log(`yolox: ${yoloxCkpt} is missing; not trained (--yolox skip)`);
    } else {
      const cmd = o.yoloxCommand ?? (hasCliCommand('trainYolox') ? [process.execPath, CLI, 'train', 'yolox'] : null);
      const select = o.selectYoloxCommand ?? [process.execPath, CLI, 'select-yolox'];
      if (!cmd && st('yolox') !== 'done') {
        yolox = 'skipped';
        skipBoth('train yolox is not available in this build');
        view.log(`yolox: ${yoloxCkpt} is missing and \`rsna-mammo train yolox\` is not available in this build; ` +
          'the classification steps continue with the existing datasets');
      } else {
        // A job skipped by an earlier run (--yolox skip) is wanted now.
        for (const id of ['yolox', 'select-yolox']) if (st(id) === 'skipped') store.update(id, { status: 'pending', message: null });
        const blank = { slot: null, epoch: null, epochs: null, iter: null, iters: null, loss: null, imgPerSec: null, etaSec: null, note: null };
        view.add({ id: 'yolox', label: 'yolox_nano_416_reproduce', status: st('yolox') === 'done' ? 'done' : 'pending', ...blank });
        view.add({ id: 'select-yolox', label: 'select-yolox', status: 'pending', ...blank });
        const slot = makeSlots(o.gpus, 1)[0];
        const yoloxDir = path.join(checkpointDir, 'yolox_roi_det');
        await runSchedule([{ id: 'yolox', dependsOn: [] }, { id: 'select-yolox', dependsOn: ['yolox'] }], [slot], store, (job, sl, signal) => {
          view.update(job.id, { status: 'running', slot: sl.id }, true);
          const argv = job.id === 'yolox' ? [...(cmd as string[]), ...settingsArgs, '--resume'] : [...select, ...settingsArgs];
          return runChild({
            argv,
            env: { ...process.env, ...sl.env },
            logFile: path.join(yoloxDir, job.id === 'yolox' ? 'train_run.log' : 'select_yolox.log'),
            onEvent: (e) => progressOf(job.id, e, view),
            signal,
          }).then(() => view.update(job.id, { status: 'done' }, true), (err) => {
            view.update(job.id, { status: 'failed', note: String(err.message) }, true);
            throw err;
          });
        }, o.signal);
        yolox = 'trained';
      }
    }

    // A dependency left out of --steps is taken as done (its checkpoint must exist: the step checks).
    const bi = (o.stepArgs ?? []).indexOf('--batch-size');
    const stepBatch = bi >= 0 ? Number(o.stepArgs?.[bi + 1]) : 8; // img/s = it/s × batch (§9.2 batch 8)
    const ei = (o.stepArgs ?? []).indexOf('--epochs');
    const epochsOf = (s: TrainStep) => (ei >= 0 ? Math.min(Number(o.stepArgs?.[ei + 1]), s.lr.length) : s.lr.length);
    const jobs = plan.map(stepJob).map((j) => ({ ...j, dependsOn: j.dependsOn.filter((d) => chosen.has(Number(d))) }));
    for (const s of plan) {
      const st = store.state.steps[String(s.step)];
      view.add({ id: String(s.step), label: `step ${s.step} ${s.experiment}`, status: st.status === 'done' ? 'done' : 'pending', slot: null,
        epoch: st.epoch, epochs: epochsOf(s), iter: null, iters: null, loss: null, imgPerSec: null, etaSec: null, note: st.status === 'done' ? 'already done' : null });
    }
    view.draw();
    const byId = new Map(plan.map((s) => [String(s.step), s]));
    await runSchedule(jobs, makeSlots(o.gpus, o.parallel), store, (job, slot, signal) => {
      const s = byId.get(job.id) as TrainStep;
      const argv = [...(o.stepCommand ?? [process.execPath, CLI, 'train', 'classifier']),
        '--step', String(s.step), '--mode', o.mode, ...settingsArgs, '--out', s.outputDir, '--resume', '--device', slot.device, ...(o.stepArgs ?? [])];
      if (o.stage2Init === 'last' && s.init.kind === 'checkpoint') {
        argv.push('--init', path.join(path.dirname(s.init.checkpoint), 'last.pth.tar'));
      }
      view.update(job.id, { status: 'running', slot: slot.id, note: store.state.steps[job.id].attempts > 1 ? 'resumed' : null }, true);
      const started = Date.now();
      return runChild({
        argv,
        env: { ...process.env, ...slot.env },
        logFile: path.join(s.outputDir, 'train_run.log'),
        onEvent: (e) => {
          const p = progressOf(job.id, { batch: stepBatch, ...e }, view, started, epochsOf(s));
          if (p !== null) store.update(job.id, { epoch: p });
        },
        signal,
      }).then(() => view.update(job.id, { status: 'done', etaSec: null }, true), (err) => {
        view.update(job.id, { status: 'failed', note: String(err.message) }, true);
        throw err;
      });
    }, o.signal);
  } finally {
    view.close();
    store.release();
  }
  return {
    stateFile,
    yolox,
    steps: plan.map((s) => ({ step: s.step, experiment: s.experiment, outputDir: s.outputDir, status: store.state.steps[String(s.step)].status,
      attempts: store.state.steps[String(s.step)].attempts })),
  };
}

interface RateState { t0: number; iters0: number }
const rates = new Map<string, RateState>();

/**
 * Applies one child event to the view; returns the epoch just finished (for the state file) or null.
 * Events: progress {epoch, iter, iters, loss, batch?}, epoch {epoch, trainLoss}, resumed {epoch}.
 */
function progressOf(id: string, e: Record<string, unknown>, view: RunView, started = Date.now(), epochs: number | null = null): number | null {
  const num = (k: string) => (typeof e[k] === 'number' ? (e[k] as number) : null);
  if (e.event === 'resumed') {
    view.update(id, { note: `resumed after epoch ${num('epoch')}` }, true);
    return null;
  }
  if (e.event === 'progress') {
    const epoch = num('epoch');
    const iter = num('iter');
    const iters = num('iters');
    const done = (epoch ?? 0) * (iters ?? 0) + (iter ?? 0);
    let r = rates.get(id);
    if (!r) rates.set(id, (r = { t0: Date.now(), iters0: done }));
    const dt = (Date.now() - r.t0) / 1000;
    const perSec = dt > 0 && done > r.iters0 ? (done - r.iters0) / dt : null;
    const total = epochs !== null && iters !== null ? epochs * iters : null;
    view.update(id, {
      epoch, iter, iters, loss: num('loss'),
      imgPerSec: perSec !== null ? perSec * (num('batch') ?? 8) : null,
      etaSec: perSec !== null && total !== null ? (total - done) / perSec : null,
    });
    return null;
  }
  if (e.event === 'epoch') {
    const epoch = num('epoch');
    const loss = num('trainLoss');
    view.update(id, { epoch, ...(loss !== null ? { loss } : {}), note: `${formatElapsed(started)} elapsed` }, true);
    return epoch;
  }
  return null;
}

function formatElapsed(started: number): string {
  return `${Math.round((Date.now() - started) / 1000)}s`;
}
