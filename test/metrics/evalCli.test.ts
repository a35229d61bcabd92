/**
 * `rsna-mammo eval --json` key names (ALGORITHMS.md §6.4) and values against ../shared/golden/pfbeta.
 */
import t from 'tap';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { Writable } from 'stream';
import { main } from '../../lib/cli/main';
import { needsShared, sharedPath } from '../helpers/shared';

function capture() {
  let out = '';
  let err = '';
  const mk = (f: (s: string) => void) => new Writable({ write(c, _e, cb) { f(String(c)); cb(); } });
  return { io: { stdout: mk((s) => (out += s)), stderr: mk((s) => (err += s)) }, out: () => out, err: () => err };
}

const KEYS = ['best_thres', 'best_acc', 'best_precision', 'best_recall', 'best_fbeta', 'best_pfbeta', 'pfbeta', 'auc', 'prauc'];

t.test('eval --json on golden case0: exact key set and golden values', needsShared('golden/pfbeta/case0.json'), async (t) => {
  const dir = sharedPath('golden/pfbeta')!;
  const golden = JSON.parse(fs.readFileSync(path.join(dir, 'case0.json'), 'utf8').replace(/:\s*NaN\b/g, ': null'));
  const c = capture();
  t.equal(await main(['eval', path.join(dir, 'case0.images.csv'), '--json'], c.io), 0, c.err());
  const obj = JSON.parse(c.out());
  const want = ['single', 'gbmean', 'gbmean_site1', 'gbmean_site2'].flatMap((r) => KEYS.map((k) => `${r}_${k}`));
  t.same(Object.keys(obj).sort(), want.sort());
  t.ok(Math.abs(obj.single_pfbeta - golden.image.pfbeta) < 1e-9);
  t.ok(Math.abs(obj.gbmean_pfbeta - golden.breast.pfbeta) < 1e-9);
  t.equal(obj.gbmean_best_thres, golden.breast.best_thres);
  t.ok(Math.abs(obj.gbmean_best_pfbeta - golden.breast.best.pfbeta) < 1e-9);
  t.ok(Math.abs(obj.gbmean_auc - golden.breast.auc) < 1e-9);
});

t.test('eval takes missing label columns from --labels by image_id', needsShared('golden/pfbeta/case0.images.csv'), async (t) => {
  const src = fs.readFileSync(sharedPath('golden/pfbeta/case0.images.csv')!, 'utf8').trim().split('\n').map((l) => l.split(','));
  const h = src[0];
  const col = (n: string) => h.indexOf(n);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-eval-'));
  const preds = path.join(tmp, 'preds.csv');
  const labels = path.join(tmp, 'labels.csv');
  fs.writeFileSync(preds, ['image_id,preds', ...src.slice(1).map((r) => `${r[col('image_id')]},${r[col('preds')]}`)].join('\n'));
  fs.writeFileSync(labels, ['site_id,patient_id,image_id,laterality,cancer', ...src.slice(1).map((r) => ['site_id', 'patient_id', 'image_id', 'laterality', 'cancer'].map((n) => r[col(n)]).join(','))].join('\n'));
  const a = capture();
  const b = capture();
  t.equal(await main(['eval', preds, '--labels', labels, '--json'], a.io), 0, a.err());
  t.equal(await main(['eval', sharedPath('golden/pfbeta/case0.images.csv')!, '--json'], b.io), 0);
  t.same(JSON.parse(a.out()), JSON.parse(b.out()));
  const c = capture();
  t.equal(await main(['eval', preds, '--json'], c.io), 1, 'no labels: error');
  t.match(c.err(), /preds\.csv: missing column/);
});
