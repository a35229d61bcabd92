/**
 * No native addon (npm --ignore-scripts without prebuilds, a failed build): every command that needs
 * it and createPipeline stop with ERR_ADDON_MISSING and the fix before any work — never a run that
 * fails every image and still writes an all-zero submission (issue 16). $RSNA_MAMMO_CPU_ADDON points
 * the loader at a binary that does not exist, as a missing build looks to it.
 */
import t from 'tap';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { runCli } from '../helpers/cli';

process.env.RSNA_MAMMO_CPU_ADDON = path.join(os.tmpdir(), 'rsna-mammo-no-such-addon.node');
// Loaded after the variable is set (the loader caches its first answer).
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { createPipeline } = require('../../lib/pipeline/createPipeline') as typeof import('../../lib/pipeline/createPipeline');

const cli = runCli;

t.test('createPipeline throws ERR_ADDON_MISSING before touching the models', async (t) => {
  await t.rejects(createPipeline({ classifier: '/no/such/ensemble.onnx', roi: 'otsu' }), {
    code: 'ERR_ADDON_MISSING',
    message: /does not load .*npm rebuild rsna-mammo/,
  });
});

t.test('demo, predict, submit, roi, preprocess stop before any work with the fix', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-noaddon-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const out = path.join(dir, 'demo-out');
  const runs: string[][] = [
    ['demo', '--out', out, '--quiet'],
    ['predict', dir, '--models', path.join(dir, 'models'), '--roi', 'otsu', '--out', path.join(dir, 'p.csv')],
    ['submit', '--settings', path.join(dir, 'SETTINGS.json')],
    ['roi', path.join(dir, 'x.dcm'), '--json'],
    ['preprocess', path.join(dir, 'x.dcm'), '--out', path.join(dir, 'x.png')],
  ];
  for (const args of runs) {
    const r = await cli(args);
    t.equal(r.code, 1, `${args[0]} exits 1`);
    t.match(r.err, /\[ERR_ADDON_MISSING\]\n$/, `${args[0]}: one line with the code`);
    t.match(r.err, /npm rebuild rsna-mammo/, `${args[0]}: says how to fix it`);
  }
  t.same(fs.readdirSync(dir), [], 'no file written: no demo-output, no submission, no predictions');
});

t.test('commands that need no addon still run', async (t) => {
  const r = await cli(['doctor', '--json']);
  t.equal(r.code, 0);
  const report = JSON.parse(r.out);
  t.equal(report.cpuAddon.loaded, false);
  t.match(report.cpuAddon.reason, /npm rebuild rsna-mammo/);
});
