/**
 * The training plan (ALGORITHMS.md §9.1–9.3, §9.8, §9.10): per-epoch lr tables against
 * ../shared/golden/train/convnext/lr_schedule.json (the original timm CosineLRScheduler built by
 * Exp.build_lr_scheduler with make_train_bash_script.py's arguments); steps against the spec's table.
 */
import t from 'tap';
import fs from 'fs';
import { Writable } from 'stream';
import { trainingPlan } from '../../lib/train/plan';
import { DEFAULT_SETTINGS, loadSettings } from '../../lib/settings';
import path from 'path';
import { cosineLrAt, CosineSchedule } from '../../lib/train/lrSchedule';
import { main } from '../../lib/cli/main';
import { needsShared, sharedPath } from '../helpers/shared';

const GOLDEN = 'golden/train/convnext/lr_schedule.json';
// Golden table → the plan steps using that configuration.
const TABLE_STEPS: Record<string, number[]> = { step1_2: [1, 2], step3_4: [3, 4], step5_6: [5, 6] };

t.test('per-epoch lr equals the original scheduler exactly (max |diff| 0)', needsShared(GOLDEN), async (t) => {
  const tables = JSON.parse(fs.readFileSync(sharedPath(GOLDEN)!, 'utf8')).tables;
  for (const mode of ['fully_reproduce', 'reproduce'] as const) {
    const plan = trainingPlan(mode);
    for (const [name, stepNos] of Object.entries(TABLE_STEPS)) {
      const g = tables[name];
      const want: number[] = g.per_epoch.map((e: { lr: number }) => e.lr);
      for (const no of stepNos) {
        const s = plan.find((x) => x.step === no)!;
        const maxDiff = Math.max(...want.map((v, i) => Math.abs(v - s.lr[i])));
        t.equal(s.lr.length, g.num_epochs_returned, `${mode} step ${no}: ${s.lr.length} epochs`);
        t.same(s.lr, want, `${mode} step ${no} (${name}): lr bit-equal, max |diff| ${maxDiff}`);
        t.equal(s.base_lr, Number(g.command_values.lr));
        t.equal(s.warmup_lr, g.warmup_lr_init);
        t.equal(s.min_lr, g.lr_min);
        t.equal(s.epochs, g.t_initial);
        t.equal(s.warmup_epochs, g.warmup_t);
        t.equal(String(s.smoothing), g.command_values.smoothing);
      }
      // _get_lr(t) beyond the trained epochs stays at lr_min.
      const s = plan.find((x) => x.step === stepNos[0])!;
      const sched: CosineSchedule = { lr: s.base_lr, warmupLrInit: s.warmup_lr, lrMin: s.min_lr, tInitial: s.epochs, warmupT: s.warmup_epochs, cooldownEpochs: 1 };
      for (const { t: tt, lr } of g.scheduler_get_lr) t.equal(cosineLrAt(sched, tt), lr, `${name} _get_lr(${tt})`);
    }
  }
});

t.test('steps, folds, names and dependencies of §9.3', async (t) => {
  const plan = trainingPlan('fully_reproduce', { ...DEFAULT_SETTINGS, MODEL_CHECKPOINT_DIR: '/ck' });
  t.same(plan.map((s) => [s.step, s.fold, s.experiment]), [
    [1, 2, 'fully_reproduce_train_fold_2'],
    [2, 3, 'fully_reproduce_train_fold_3'],
    [3, 0, 'stage1_fully_reproduce_train_fold_0'],
    [4, 1, 'stage1_fully_reproduce_train_fold_1'],
    [5, 0, 'stage2_fully_reproduce_train_fold_0'],
    [6, 1, 'stage2_fully_reproduce_train_fold_1'],
  ]);
  t.same(plan.map((s) => s.depends_on), [[], [], [], [], [3], [4]]);
  t.same(plan[4].init, { kind: 'checkpoint', step: 3, checkpoint: '/ck/timm_classification/stage1_fully_reproduce_train_fold_0/checkpoint-24.pth.tar', weights: 'state_dict_ema' });
  t.equal(plan[0].outputDir, '/ck/timm_classification/fully_reproduce_train_fold_2');
  t.same(plan.map((s) => s.positive_target), [0.9, 0.9, 0.8, 0.8, 0.9, 0.9]);
  t.same(plan[0].dense_epochs, [10, 11, 12, 13, 14, 15, 16, 17, 18]);
  t.same(plan[5].dense_epochs, [], 'steps 5-6: 17-18 never reached (epochs 0-16)');
  t.same(plan.map((s) => s.config), new Array(6).fill('exp7_fully_reproduce.py'));
  // §9.4 data: RSNA train_fold_k first, then bmcd, cddcesm, cmmd, miniddsm, vindr; shipped BMCD/CMMD labels in fully_reproduce.
  const st = loadSettings(undefined, '/root');
  const fr = trainingPlan('fully_reproduce', st)[0].data;
  t.same(fr.train.map((d) => d.dataset), ['rsna-breast-cancer-detection', 'bmcd', 'cddcesm', 'cmmd', 'miniddsm', 'vindr']);
  t.equal(fr.train[0].labels, '/root/datasets/processed/classification/rsna-breast-cancer-detection/cv/v2/train_fold_2.csv');
  t.equal(fr.val.labels, '/root/datasets/processed/classification/rsna-breast-cancer-detection/cv/v2/val_fold_2.csv');
  t.equal(fr.train[1].labels, '/root/assets/data/bmcd_cleaned_label.csv');
  t.equal(fr.train[3].labels, '/root/assets/data/cmmd_cleaned_label.csv');
  t.equal(fr.train[2].labels, '/root/datasets/processed/classification/cddcesm/cleaned_label.csv');
  t.equal(fr.train[5].images, path.join('/root/datasets/processed/classification/vindr/cleaned_images'));
  t.equal(trainingPlan('reproduce', st)[0].data.train[1].labels, '/root/datasets/processed/classification/bmcd/cleaned_label.csv', 'reproduce: fresh BMCD labels');
  const r = trainingPlan('reproduce');
  t.equal(r[2].experiment, 'stage1_reproduce_train_fold_0');
  t.equal(r[0].config, 'exp7.py');
  // Spec §9.8 examples.
  t.same(plan[0].lr.slice(0, 4), [3e-5, 7.725e-4, 1.515e-3, 2.2575e-3]);
  t.equal(plan[0].lr[30], 5e-5);
});

t.test('CLI train plan --json', async (t) => {
  let out = '';
  let err = '';
  const io = { stdout: new Writable({ write(c, _e, cb) { out += String(c); cb(); } }), stderr: new Writable({ write(c, _e, cb) { err += String(c); cb(); } }) };
  t.equal(await main(['train', 'plan', '--mode', 'reproduce', '--json'], io), 0, err);
  const j = JSON.parse(out);
  t.equal(j.steps.length, 6);
  t.equal(j.steps[4].experiment, 'stage2_reproduce_train_fold_0');
  t.equal(j.steps[0].lr.length, 31);
  err = '';
  t.equal(await main(['train', 'plan', '--mode', 'partial'], io), 2); // a usage error (README exit codes)
  t.match(err, /--mode/);
});
