/**
 * pF1, threshold sweep, ROC AUC and PR-AUC against ../shared/golden/pfbeta (computed with the original
 * timm metric code and scikit-learn 1.2.1; ALGORITHMS.md §6). Tolerance 1e-9 (spec P16).
 */
import t from 'tap';
import fs from 'fs';
import path from 'path';
import { readCsv, columnIndex } from '../../lib/data/csv';
import { pfbeta, sweepThresholds, rocAuc, prAuc, DEFAULT_THRESHOLDS, evaluatePredictions } from '../../lib/metrics';
import { needsShared, sharedPath } from '../helpers/shared';

const TOL = 1e-9;
const CASES = ['case0', 'case1', 'case2'];

interface GoldenLevel {
  pfbeta: number;
  auc: number;
  prauc: number;
  best_thres: number;
  best: Record<string, number>;
  n_thresholds_tied_at_top: number;
  sweep: Array<Record<string, number | string>>;
}

function close(t: Tap.Test, got: number, want: number | null, what: string): void {
  if (want === null || Number.isNaN(want)) t.ok(Number.isNaN(got), `${what}: NaN`);
  else t.ok(Math.abs(got - want) <= TOL, `${what}: ${got} vs ${want}`);
}

function loadLevels(dir: string, name: string) {
  const img = readCsv(path.join(dir, `${name}.images.csv`));
  const ci = columnIndex(img, ['site_id', 'patient_id', 'laterality', 'cancer', 'preds']);
  const rows = img.rows.map((r) => ({
    siteId: Number(r[ci.site_id]),
    patientId: r[ci.patient_id],
    laterality: r[ci.laterality],
    target: Number(r[ci.cancer]),
    pred: Number(r[ci.preds]),
  }));
  const br = readCsv(path.join(dir, `${name}.breasts.csv`));
  const bi = columnIndex(br, ['cancer', 'preds']);
  return {
    rows,
    image: { gts: rows.map((r) => r.target), preds: rows.map((r) => r.pred) },
    breast: { gts: br.rows.map((r) => Number(r[bi.cancer])), preds: br.rows.map((r) => Number(r[bi.preds])) },
  };
}

t.test('threshold grid is numpy.arange(0, 1, 0.01)', async (t) => {
  t.equal(DEFAULT_THRESHOLDS.length, 100);
  t.equal(DEFAULT_THRESHOLDS[7], 0.07000000000000001, 'float representation as numpy');
  t.equal(DEFAULT_THRESHOLDS[99], 0.99);
});

t.test('pfbeta edge cases by hand (ALGORITHMS.md §6.1)', async (t) => {
  // ctp = 0.5 + 1 (clipped from 2), cfp = 0.25 (clipped from... 0.25), n_pos = 2
  const p = 1.5 / 1.75;
  const r = 1.5 / 2;
  t.ok(Math.abs(pfbeta([1, 1, 0, 0], [0.5, 2, 0.25, -1]) - (2 * p * r) / (p + r)) < 1e-15);
  t.equal(pfbeta([0, 0], [0, 0]), 0, 'NaN precision gives 0');
  t.equal(pfbeta([1, 0], [0, 0.3]), 0, 'zero precision gives 0');
});

for (const name of CASES) {
  t.test(`golden pfbeta ${name}`, needsShared(`golden/pfbeta/${name}.json`), async (t) => {
    const dir = sharedPath('golden/pfbeta')!;
    // Python's json writes bare NaN; read it as null.
    const golden = JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8').replace(/:\s*NaN\b/g, ': null'));
    const data = loadLevels(dir, name);
    for (const level of ['image', 'breast'] as const) {
      const g: GoldenLevel = golden[level];
      const { gts, preds } = data[level];
      close(t, pfbeta(gts, preds), g.pfbeta, `${level} pfbeta`);
      close(t, rocAuc(gts, preds), g.auc, `${level} auc`);
      close(t, prAuc(gts, preds), g.prauc, `${level} prauc`);
      const sw = sweepThresholds(gts, preds);
      t.equal(sw.best.threshold, g.best_thres, `${level} best threshold`);
      t.equal(sw.tiedAtTop, g.n_thresholds_tied_at_top, `${level} thresholds tied at top`);
      for (const k of ['tp', 'tn', 'fp', 'fn', 'acc', 'precision', 'recall', 'fbeta', 'pfbeta'] as const) {
        close(t, sw.best[k], g.best[k], `${level} best ${k}`);
      }
      let worst = 0;
      g.sweep.forEach((gs, i) => {
        const mine = sw.all[i];
        if (mine.threshold !== gs.t) worst = Infinity;
        for (const k of ['tp', 'tn', 'fp', 'fn', 'acc', 'precision', 'recall', 'fbeta', 'pfbeta'] as const) {
          const want = gs[k] as number | null;
          const got = mine[k];
          if (want === null) worst = Number.isNaN(got) ? worst : Infinity;
          else worst = Math.max(worst, Math.abs(got - want));
        }
      });
      t.ok(worst <= TOL, `${level}: all 100 sweep rows within 1e-9 (worst ${worst})`);
    }
    // The gbmean reducer reproduces the golden breast level (groupby(patient, laterality).mean()).
    const m = evaluatePredictions(data.rows, ['single', 'gbmean']);
    close(t, m.single_pfbeta, golden.image.pfbeta, 'single_pfbeta');
    close(t, m.gbmean_pfbeta, golden.breast.pfbeta, 'gbmean_pfbeta');
    close(t, m.gbmean_auc, golden.breast.auc, 'gbmean_auc');
    close(t, m.gbmean_prauc, golden.breast.prauc, 'gbmean_prauc');
    t.equal(m.gbmean_best_thres, golden.breast.best_thres, 'gbmean_best_thres');
    close(t, m.gbmean_best_pfbeta, golden.breast.best.pfbeta, 'gbmean_best_pfbeta');
  });
}
