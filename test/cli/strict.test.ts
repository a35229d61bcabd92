/**
 * One strict CLI layer (issue 16, "CLI"): every usage error → the command's usage, our words, one
 * exit code (EXIT.USAGE); doctor advice that works outside the repo; RSNA_MAMMO_QUIET honoured;
 * doctor lists only ONNX Runtime providers that can load; runs with failed images exit EXIT.PARTIAL.
 */
import t from 'tap';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { Writable } from 'stream';
import { runCli } from '../helpers/cli';
import { EXIT, runExitCode } from '../../lib/cli/exitCodes';
import { decideCudaUse } from '../../lib/gpu/cudaStatus';
import { tryLoadCudaAddon, cudaAddonStatus } from '../../lib/native';
import { probeOnnxRuntime } from '../../lib/doctor/probes';
import { runSubmit } from '../../lib/run/runSubmit';
import { noticeLog } from '../../lib/cli/notice';

const cli = runCli;

/** parseArgs' own phrases that must never reach a user. */
const RAW_WORDING = /positional|To specify|<value>|Unknown option '|argument missing/;

t.test('the exit codes have one meaning each', async (t) => {
  t.same(EXIT, { OK: 0, FAILURE: 1, USAGE: 2, PARTIAL: 3 });
  t.equal(runExitCode(5, 0), 0);
  t.equal(runExitCode(5, 1), 3, 'some images failed: partial');
  t.equal(runExitCode(0, 2), 1, 'nothing predicted: failure');
});

t.test('every usage error exits EXIT.USAGE with the usage and our wording', async (t) => {
  const cases: [string[], RegExp][] = [
    [['doctor', '--jsn'], /^rsna-mammo doctor: unknown option --jsn\n\nUsage: rsna-mammo doctor/],
    [['eval', '--nope', 'x.csv'], /^rsna-mammo eval: unknown option --nope\n\nUsage: rsna-mammo eval/],
    [['predict', 'a.dcm', '--models'], /^rsna-mammo predict: option --models needs a value\n\nUsage: rsna-mammo predict/],
    [['predict', 'a.dcm'], /^rsna-mammo predict: Expected a model folder .* for --models.*\n\nUsage: rsna-mammo predict/],
    [['cv-split', 'extra'], /^rsna-mammo cv-split: unexpected argument "extra": this command takes options only\n\nUsage:/],
    [['doctor', '--json=1'], /^rsna-mammo doctor: option --json takes no value/],
    [['demo', '--device', 'tpu'], /^rsna-mammo demo: Expected 'auto', 'cpu' or 'cuda' for --device/],
  ];
  for (const [args, message] of cases) {
    const r = await cli(args);
    t.equal(r.code, EXIT.USAGE, `${args.join(' ')} → exit ${EXIT.USAGE}`);
    t.match(r.err, message, args.join(' '));
    t.notMatch(r.err, RAW_WORDING, `${args.join(' ')}: no util.parseArgs wording`);
    t.equal(r.out, '', 'nothing on stdout');
  }
  const unknown = await cli(['frobnicate']);
  t.equal(unknown.code, EXIT.USAGE, 'unknown command: the same code');
  t.match(unknown.err, /unknown command "frobnicate"/);
  const none = await cli([]);
  t.equal(none.code, EXIT.USAGE, 'no command: the same code');
  t.match(none.err, /^Usage: rsna-mammo <command>/);
  t.equal((await cli(['doctor', '--help'])).code, EXIT.OK, '--help is not an error');
});

t.test('doctor advice works for a consumer: no npm script of the repository', async (t) => {
  const status = decideCudaUse({ disabled: false, addonPath: undefined, driver: { present: true } as never, testLoad: () => ({ ok: false }) });
  t.notMatch(status.reason, /npm run/);
  t.match(status.reason, /RSNA_MAMMO_BUILD_CUDA=1 npm rebuild rsna-mammo/);
  const r = await cli(['doctor']);
  t.equal(r.code, 0);
  t.notMatch(r.out, /npm run build/, 'doctor output names no repo-only script');
});

t.test('RSNA_MAMMO_QUIET=1 silences the "GPU not used" line', { skip: cudaAddonStatus().usable ? 'a GPU is usable here: no fallback line to silence' : false }, async (t) => {
  const lines: string[] = [];
  t.equal(tryLoadCudaAddon((l) => lines.push(l)), undefined);
  t.equal(lines.length, 1, 'the line without RSNA_MAMMO_QUIET');
  t.match(lines[0], /GPU not used/);
  process.env.RSNA_MAMMO_QUIET = '1';
  t.teardown(() => delete process.env.RSNA_MAMMO_QUIET);
  t.equal(tryLoadCudaAddon((l) => lines.push(l)), undefined);
  t.equal(lines.length, 1, 'no line with RSNA_MAMMO_QUIET=1');
});

t.test("RSNA_MAMMO_QUIET=1 silences the commands' notices too", async (t) => {
  let err = '';
  const io = { stdout: process.stdout, stderr: new Writable({ write(c, _e, cb) { err += String(c); cb(); } }) };
  noticeLog(io)('converting x.pth to ONNX once');
  t.equal(err, 'converting x.pth to ONNX once\n');
  process.env.RSNA_MAMMO_QUIET = '1';
  t.teardown(() => delete process.env.RSNA_MAMMO_QUIET);
  noticeLog(io)('no YOLOX weights: Otsu fallback');
  t.equal(err, 'converting x.pth to ONNX once\n', 'nothing more with RSNA_MAMMO_QUIET=1');
});

t.test('doctor lists only ONNX Runtime providers whose binaries are installed', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-ort-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const bin = path.join(dir, 'bin', 'napi-v6', process.platform, process.arch);
  fs.mkdirSync(bin, { recursive: true });
  const fakeRequire = ((id: string) => {
    if (id === 'onnxruntime-node/package.json') return { version: '1.30.0' };
    return { listSupportedBackends: () => [{ name: 'cpu', bundled: true }, { name: 'cuda', bundled: false }, { name: 'tensorrt', bundled: false }] };
  }) as unknown as NodeRequire;
  fakeRequire.resolve = (() => path.join(dir, 'package.json')) as unknown as NodeRequire['resolve'];
  const skipped = probeOnnxRuntime(fakeRequire);
  t.same(skipped.providers, ['cpu'], 'ONNXRUNTIME_NODE_INSTALL=skip: only cpu');
  t.same(skipped.providersNotInstalled, ['cuda', 'tensorrt']);
  fs.writeFileSync(path.join(bin, 'libonnxruntime_providers_cuda.so'), '');
  t.same(probeOnnxRuntime(fakeRequire).providers, ['cpu', 'cuda'], 'the CUDA provider once its library is there');
  // The real package as installed here (.npmrc skips the provider download).
  const real = probeOnnxRuntime();
  for (const p of real.providers) t.notOk(real.providersNotInstalled.includes(p));
});

t.test('a run where nothing could be predicted writes no submission.csv and says why', async (t) => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-nothing-'));
  t.teardown(() => fs.rmSync(out, { recursive: true, force: true }));
  fs.writeFileSync(path.join(out, 'submission.csv'), 'prediction_id,cancer\nold_L,1\n'); // an earlier run's
  const rows = ['1', '2'].map((id) => ({ patientId: '9', imageId: id, laterality: 'L', predictionId: '9_L', file: `/nowhere/${id}.dcm` }));
  const pipeline = {
    async *predictMany(requests: { key: string; tag: unknown }[]) {
      for (const r of requests) yield { ok: false, key: r.key, tag: r.tag, code: 'ERR_ADDON_MISSING', message: 'no addon' };
    },
  };
  await t.rejects(runSubmit({ rows: rows as never, pipeline: pipeline as never, outDir: out }), { code: 'ERR_NOTHING_PREDICTED', message: /none of the 2 images/ });
  t.notOk(fs.existsSync(path.join(out, 'submission.csv')), 'no all-zero submission, and the stale one is gone');
  t.match(fs.readFileSync(path.join(out, 'errors.csv'), 'utf8'), /ERR_ADDON_MISSING/, 'errors.csv says why');
});
