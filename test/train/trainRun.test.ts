/**
 * `rsna-mammo train run` scheduling and resume with a fake step trainer (test/train/fixtures/
 * fakeStepTrainer.js: deterministic chained checkpoints, a journal of starts/epochs/ends): the plan's
 * dependencies (5 after 3, 6 after 4) in the real start/end times, at most N steps at once, one GPU per
 * child (CUDA_VISIBLE_DEVICES), §12 folders, and kill -9 of the whole run at two moments followed by
 * reruns giving byte-identical final checkpoints with no finished epoch or step redone.
 */
import t from 'tap';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { spawn } from 'child_process';
import { trainingPlan } from '../../lib/train/plan';
import { runTraining } from '../../lib/train/runSteps';
import { Writable } from 'stream';

const FAKE = path.join(__dirname, 'fixtures', 'fakeStepTrainer.js');
const CLI = path.join(__dirname, '..', 'pipeline', 'fixtures', 'cli.ts');
const EPOCHS = 4;

interface Note { ev: string; step: number; pid: number; t: number; epoch?: number; from?: number; cuda?: string | null; device?: string }

function layout(name: string): { dir: string; settings: string; journal: string; ckptDir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `rsna-trainrun-${name}-`));
  const settings = path.join(dir, 'SETTINGS.json');
  fs.writeFileSync(settings, JSON.stringify({ MODEL_CHECKPOINT_DIR: './checkpoints/', MODEL_FINAL_SELECTION_DIR: './final/' }));
  return { dir, settings, journal: path.join(dir, 'journal.jsonl'), ckptDir: path.join(dir, 'checkpoints') };
}

const notes = (journal: string): Note[] => (fs.existsSync(journal) ? fs.readFileSync(journal, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);
const sink = () => {
  let text = '';
  const stream = new Writable({ write(c, _e, cb) { text += String(c); cb(); } });
  return { stream, text: () => text };
};

function finalFiles(ckptDir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of trainingPlan('fully_reproduce', { ...defaultSettings('/'), MODEL_CHECKPOINT_DIR: ckptDir })) {
    for (const f of fs.readdirSync(s.outputDir).filter((f) => f.endsWith('.pth.tar')).sort()) {
      out.set(`${s.experiment}/${f}`, fs.readFileSync(path.join(s.outputDir, f)).toString('hex'));
    }
  }
  return out;
}

t.test('dependencies, slots, GPU pinning and §12 folders', async (t) => {
  const L = layout('gpus');
  process.env.FAKE_TRAIN_LOG = L.journal;
  process.env.FAKE_RENDEZVOUS = L.dir;
  const out = sink();
  const res = await runTraining({
    mode: 'fully_reproduce', settings: { ...defaultSettings(L.dir) }, settingsFile: L.settings, gpus: ['0', '1'],
    stepCommand: [process.execPath, FAKE], stepArgs: ['--epochs', String(EPOCHS), '--sleep', '60'], yolox: 'skip', out: out.stream, live: false,
  });
  delete process.env.FAKE_TRAIN_LOG;
  delete process.env.FAKE_RENDEZVOUS;
  const n = notes(L.journal);
  const at = (step: number, ev: string) => n.find((x) => x.step === step && x.ev === ev) as Note;
  t.ok(at(5, 'start').t >= at(3, 'end').t, 'step 5 starts after step 3 ended');
  t.ok(at(6, 'start').t >= at(4, 'end').t, 'step 6 starts after step 4 ended');
  t.same(n.filter((x) => x.ev === 'start').map((x) => x.step).slice(0, 2).sort(), [1, 2], 'steps 1 and 2 start first (lowest ready steps)');
  // Concurrency from the journal: never more than 2 running; concurrent steps see different GPUs.
  const events = n.filter((x) => x.ev === 'start' || x.ev === 'end').sort((a, b) => a.t - b.t || (a.ev === 'end' ? -1 : 1));
  const live = new Map<number, string>();
  let most = 0;
  let clash = false;
  for (const e of events) {
    if (e.ev === 'end') live.delete(e.step);
    else {
      if ([...live.values()].includes(String(e.cuda))) clash = true;
      live.set(e.step, String(e.cuda));
      most = Math.max(most, live.size);
    }
  }
  t.equal(most, 2, 'two steps at once on two GPUs');
  t.notOk(clash, 'concurrent steps never share a GPU');
  t.ok(n.filter((x) => x.ev === 'start').every((x) => (x.cuda === '0' || x.cuda === '1') && x.device === 'cuda'), 'each child sees exactly one GPU, --device cuda');
  for (const s of trainingPlan('fully_reproduce', { ...defaultSettings('/'), MODEL_CHECKPOINT_DIR: L.ckptDir })) {
    t.ok(fs.existsSync(path.join(L.ckptDir, 'timm_classification', s.experiment, `checkpoint-${EPOCHS - 1}.pth.tar`)), `${s.experiment}: in {MODEL_CHECKPOINT_DIR}/timm_classification/`);
  }
  t.same(res.steps.map((s) => s.status), Array(6).fill('done'));
  t.match(out.text(), /step 6 stage2_fully_reproduce_train_fold_1\s+done/, 'plain progress lines name every step');
  t.match(out.text(), /epoch 4\/4/, 'epoch shown (counted from 1, of --epochs)');

  // A rerun does nothing: every step is done.
  fs.writeFileSync(L.journal, '');
  await runTraining({ mode: 'fully_reproduce', settings: defaultSettings(L.dir), gpus: ['0', '1'], stepCommand: [process.execPath, FAKE], yolox: 'skip', out: sink().stream, live: false });
  t.same(notes(L.journal), [], 'a finished run relaunches no step');
});

t.test('a failing step stops new launches and is retried on the next run', async (t) => {
  const L = layout('fail');
  process.env.FAKE_TRAIN_LOG = L.journal;
  process.env.FAKE_FAIL_STEP = '3';
  const opts = { mode: 'fully_reproduce' as const, settings: defaultSettings(L.dir), stepCommand: [process.execPath, FAKE], stepArgs: ['--epochs', '2', '--sleep', '10'], yolox: 'skip' as const, out: sink().stream, live: false };
  await t.rejects(runTraining(opts), { code: 'ERR_TRAIN_STEP_FAILED' });
  t.notOk(notes(L.journal).some((x) => x.step === 5), 'step 5 never started without step 3');
  delete process.env.FAKE_FAIL_STEP;
  const res = await runTraining(opts);
  delete process.env.FAKE_TRAIN_LOG;
  t.same(res.steps.map((s) => s.status), Array(6).fill('done'));
  t.same(notes(L.journal).filter((x) => x.ev === 'start' && x.step <= 2 && notes(L.journal).filter((y) => y.step === x.step && y.ev === 'start').length > 1), [], 'steps 1, 2 not started again');
});

t.test('YOLOX first: train yolox, then select-yolox (§11.5), each in the state file; a failed selection is redone alone', async (t) => {
  const L = layout('yolox');
  const FAKE_YOLOX = path.join(__dirname, 'fixtures', 'fakeYolox.js');
  const settings = defaultSettings(L.dir);
  const final = path.join(settings.MODEL_FINAL_SELECTION_DIR, 'yolox_nano_416_roi_torch.pth');
  Object.assign(process.env, {
    FAKE_TRAIN_LOG: L.journal, FAKE_FAIL_SELECT: '1', FAKE_YOLOX_FINAL: final,
    FAKE_YOLOX_TRAIN_DIR: path.join(settings.MODEL_CHECKPOINT_DIR, 'yolox_roi_det', 'yolox_nano_416_reproduce'),
  });
  const opts = {
    mode: 'fully_reproduce' as const, settings, settingsFile: L.settings, steps: [1], stepCommand: [process.execPath, FAKE],
    stepArgs: ['--epochs', '1', '--sleep', '10'], yoloxCommand: [process.execPath, FAKE_YOLOX, 'train'],
    selectYoloxCommand: [process.execPath, FAKE_YOLOX, 'select'], out: sink().stream, live: false,
  };
  await t.rejects(runTraining(opts), { code: 'ERR_TRAIN_STEP_FAILED' }, 'the selection fails');
  const state = () => JSON.parse(fs.readFileSync(path.join(L.ckptDir, 'train_run_fully_reproduce.state.json'), 'utf8'));
  t.same([state().steps.yolox.status, state().steps['select-yolox'].status, state().steps['1'].status], ['done', 'failed', 'pending'],
    'state: yolox done, select-yolox failed, no classification step started');
  t.notOk(notes(L.journal).some((x) => x.step === 1), 'step 1 did not start before the selection');
  fs.writeFileSync(L.journal, '');
  delete process.env.FAKE_FAIL_SELECT;
  const res = await runTraining(opts);
  const n = notes(L.journal);
  t.same(n.filter((x) => x.ev === 'start').map((x) => String(x.step)), ['select', '1'], 'the rerun selects (YOLOX not retrained), then trains step 1');
  t.same((n.find((x) => String(x.step) === 'select') as Note & { args: string[] }).args, ['--settings', L.settings], 'select-yolox gets the run\'s settings');
  t.equal(res.yolox, 'trained');
  t.equal(fs.readFileSync(final, 'utf8'), 'fake yolox weights', 'the selected checkpoint is in MODEL_FINAL_SELECTION_DIR');
  t.same([state().steps.yolox.attempts, state().steps['select-yolox'].status, state().steps['select-yolox'].attempts], [1, 'done', 2]);
  fs.writeFileSync(L.journal, '');
  await runTraining(opts);
  t.same(notes(L.journal), [], 'a third run does nothing');
  for (const k of ['FAKE_TRAIN_LOG', 'FAKE_YOLOX_FINAL', 'FAKE_YOLOX_TRAIN_DIR']) delete process.env[k];
});

function defaultSettings(dir: string) {
  return {
    RAW_DATA_DIR: path.join(dir, 'raw'), PROCESSED_DATA_DIR: path.join(dir, 'processed'), MODEL_CHECKPOINT_DIR: path.join(dir, 'checkpoints'),
    MODEL_FINAL_SELECTION_DIR: path.join(dir, 'final'), SUBMISSION_DIR: path.join(dir, 'submissions'), ASSETS_DIR: path.join(dir, 'assets'), TEMP_DIR: path.join(dir, 'tmp'),
  };
}

/** Runs the CLI in its own process group; resolves when it exits; `killWhen` kills the group with SIGKILL. */
function runCli(L: ReturnType<typeof layout>, killWhen?: (n: Note[]) => boolean): Promise<'killed' | number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, CLI, 'train', 'run', '--settings', L.settings, '--parallel', '2', '--yolox', 'skip', '--plain',
      '--', '--epochs', String(EPOCHS), '--sleep', '40'], {
      stdio: 'ignore', detached: true,
      env: { ...process.env, FAKE_TRAIN_LOG: L.journal, RSNA_MAMMO_TRAIN_STEP_COMMAND: JSON.stringify([process.execPath, FAKE]) },
    });
    let killed = false;
    const timer = killWhen && setInterval(() => {
      if (!killed && killWhen(notes(L.journal))) {
        killed = true;
        process.kill(-(child.pid as number), 'SIGKILL');
      }
    }, 20);
    child.on('exit', (code) => {
      if (timer) clearInterval(timer);
      resolve(killed ? 'killed' : (code ?? -1));
    });
  });
}

t.test('kill -9 of the whole run at two moments, then a rerun: same final checkpoints, nothing finished redone', async (t) => {
  const ref = layout('ref');
  t.equal(await runCli(ref), 0, 'uninterrupted run');
  const L = layout('killed');
  // Moment 1: in the middle of step 1/2 (2 epochs of step 1 written). Moment 2: once step 3 is done and 5 is running.
  t.equal(await runCli(L, (n) => n.filter((x) => x.step === 1 && x.ev === 'epoch').length >= 2), 'killed', 'killed mid-step');
  t.equal(await runCli(L, (n) => n.some((x) => x.step === 5 && x.ev === 'epoch')), 'killed', 'killed during step 5');
  t.equal(await runCli(L), 0, 'the rerun finishes');
  const n = notes(L.journal);
  const epochsDone = n.filter((x) => x.ev === 'epoch').map((x) => `${x.step}:${x.epoch}`);
  t.equal(new Set(epochsDone).size, epochsDone.length, 'no (step, epoch) written twice across the three runs');
  t.equal(epochsDone.length, 6 * EPOCHS, 'every epoch of every step written once');
  const ends = n.filter((x) => x.ev === 'end').map((x) => x.step);
  t.equal(new Set(ends).size, 6, 'every step ended exactly once (finished steps not relaunched)');
  t.ok(n.some((x) => x.ev === 'start' && (x.from ?? 0) > 0), 'killed steps resumed from their last checkpoint');
  const a = finalFiles(ref.ckptDir);
  const b = finalFiles(L.ckptDir);
  t.same([...b.keys()], [...a.keys()], 'same checkpoint files');
  t.ok([...a].every(([k, v]) => b.get(k) === v), `all ${a.size} checkpoint files byte-identical to the uninterrupted run`);
  const state = JSON.parse(fs.readFileSync(path.join(L.ckptDir, 'train_run_fully_reproduce.state.json'), 'utf8'));
  t.equal(state.owner, null, 'state file released');
  t.ok(Object.entries(state.steps).filter(([k]) => k !== 'yolox' && k !== 'select-yolox').every(([, v]: [string, any]) => v.status === 'done'), 'state: all steps done');
});
