/**
 * The backend rule with libtorch (lib/runtime/selectBackend.ts, pure: no GPU needed): auto =
 * TensorRT when usable, else libtorch on CUDA, else ONNX Runtime, one line why; a forced backend runs
 * wherever it can (libtorch on the CPU too); one list of names for every flag. Then what `doctor`
 * reports about the libtorch backend here, and createSession's choice with a stand-in backend.
 */
import t from 'tap';
import { spawnSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { Writable } from 'stream';
import { main } from '../../lib/cli/main';
import { BACKEND_REQUESTS, parseBackendRequest, selectBackend } from '../../lib/runtime/selectBackend';
import { parseRunOptions } from '../../lib/run/runOptions';
import { cudaVersionText } from '../../lib/doctor/report';
import { libtorchAddonStatus } from '../../lib/runtime/libtorch_addon';
import { libtorchBackend, libtorchSources } from '../../lib/runtime/libtorch';
import { tensorrtBackend } from '../../lib/runtime/tensorrt';
import { createSession, registerBackend } from '../../lib/runtime';
import type { InferenceBackend } from '../../lib/runtime';
import { randomEnsembleOnnx } from '../pipeline/demoModel';
import { ENSEMBLE_ONNX, FOLD_CHECKPOINTS, YOLOX_CHECKPOINT, YOLOX_ONNX } from '../../lib/run/modelFiles';

const yes = { available: true };
const trtNo = { available: false, reason: 'TensorRT not found' };
const ortNo = { available: false, reason: 'onnxruntime-node is not installed' };
const ltCuda = { available: true, cuda: true };
const ltCpu = { available: true, cuda: false, reason: 'libtorch 1.13.0 has no CUDA (CPU only)' };
const ltNo = { available: false, cuda: false, reason: 'build-torch/rsna_mammo_torch.node is not built' };

t.test('auto: TensorRT > libtorch CUDA > ONNX Runtime, one line why', async (t) => {
  const rows: [string, Parameters<typeof selectBackend>[1], ReturnType<typeof selectBackend>][] = [
    ['TensorRT usable wins', { tensorrt: yes, libtorch: ltCuda, onnxruntime: yes }, { backend: 'tensorrt' }],
    ['no TensorRT, libtorch on CUDA', { tensorrt: trtNo, libtorch: ltCuda, onnxruntime: yes },
      { backend: 'libtorch', note: 'TensorRT not used (TensorRT not found); using libtorch on CUDA' }],
    ['libtorch CPU-only: ONNX Runtime, saying why not libtorch', { tensorrt: trtNo, libtorch: ltCpu, onnxruntime: yes },
      { backend: 'onnxruntime', note: 'TensorRT not used (TensorRT not found); using ONNX Runtime (libtorch CUDA not used: libtorch 1.13.0 has no CUDA (CPU only))' }],
    ['libtorch not built', { tensorrt: trtNo, libtorch: ltNo, onnxruntime: yes },
      { backend: 'onnxruntime', note: 'TensorRT not used (TensorRT not found); using ONNX Runtime (libtorch CUDA not used: build-torch/rsna_mammo_torch.node is not built)' }],
    ['libtorch not probed: the old line', { tensorrt: trtNo, onnxruntime: yes },
      { backend: 'onnxruntime', note: 'TensorRT not used (TensorRT not found); using ONNX Runtime' }],
    ['libtorch CUDA without ONNX Runtime', { tensorrt: trtNo, libtorch: ltCuda, onnxruntime: ortNo },
      { backend: 'libtorch', note: 'TensorRT not used (TensorRT not found); using libtorch on CUDA' }],
  ];
  for (const [what, available, expected] of rows) t.same(selectBackend('auto', available), expected, what);
  t.throws(() => selectBackend('auto', { tensorrt: trtNo, libtorch: ltCpu, onnxruntime: ortNo }),
    { code: 'ERR_BACKEND_UNAVAILABLE', message: /tensorrt \(TensorRT not found\), libtorch \(libtorch 1\.13\.0 has no CUDA/ });
});

t.test('a forced backend runs wherever it can, else a typed error', async (t) => {
  t.same(selectBackend('libtorch', { tensorrt: yes, libtorch: ltCpu, onnxruntime: yes }), { backend: 'libtorch' }, 'libtorch on the CPU when forced');
  t.same(selectBackend('onnxruntime', { tensorrt: yes, libtorch: ltCuda, onnxruntime: yes }), { backend: 'onnxruntime' });
  t.throws(() => selectBackend('libtorch', { tensorrt: yes, libtorch: ltNo, onnxruntime: yes }),
    { code: 'ERR_BACKEND_UNAVAILABLE', message: /backend libtorch is not available: build-torch\/rsna_mammo_torch\.node is not built/ });
  t.throws(() => selectBackend('libtorch', { tensorrt: yes, onnxruntime: yes }), { code: 'ERR_BACKEND_UNAVAILABLE', message: /not probed/ });
  t.throws(() => selectBackend('torch' as never, { tensorrt: yes, onnxruntime: yes }), { code: 'ERR_INVALID_ARGUMENT', message: /auto, tensorrt, libtorch, onnxruntime/ });
});

t.test('one list of names for --backend (submit/predict/demo via parseRunOptions, infer via parseBackendRequest)', async (t) => {
  t.same(BACKEND_REQUESTS, ['auto', 'tensorrt', 'libtorch', 'onnxruntime']);
  for (const name of BACKEND_REQUESTS) t.equal(parseRunOptions({ backend: name }).backend, name);
  t.equal(parseRunOptions({}).backend, 'auto');
  t.throws(() => parseRunOptions({ backend: 'torch' }), { code: 'ERR_INVALID_ARGUMENT', message: /auto \| tensorrt \| libtorch \| onnxruntime for --backend/ });
  t.throws(() => parseBackendRequest('cuda'), { code: 'ERR_INVALID_ARGUMENT' });
});

t.test('libtorch finds the checkpoints a converted model came from, by the names of lib/run/modelFiles', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-libtorch-sources-'));
  t.match(libtorchSources(path.join(dir, ENSEMBLE_ONNX)), { reason: /none are beside best_ensemble_convnext_small_fp32\.onnx/ });
  for (const f of FOLD_CHECKPOINTS.slice(0, 3)) fs.writeFileSync(path.join(dir, f), '');
  fs.writeFileSync(path.join(dir, YOLOX_CHECKPOINT), '');
  t.same(libtorchSources(path.join(dir, ENSEMBLE_ONNX)), { files: FOLD_CHECKPOINTS.slice(0, 3).map((f) => path.join(dir, f)) });
  t.same(libtorchSources(path.join(dir, YOLOX_ONNX)), { files: [path.join(dir, YOLOX_CHECKPOINT)] });
  t.same(libtorchSources('/m/fold.pth.tar'), { files: ['/m/fold.pth.tar'] }, 'a checkpoint is its own source');
  t.same(libtorchSources('/m/any.onnx', { checkpoints: ['/a.pth'] }), { files: ['/a.pth'] }, 'explicit checkpoints win');
  t.match(libtorchSources('/m/other.onnx'), { reason: /libtorch loads the original checkpoints/ });
});

t.test('doctor reports the libtorch backend', async (t) => {
  t.equal(cudaVersionText(12040, 'cuda'), '12.4');
  t.equal(cudaVersionText(11080, 'cuda'), '11.8');
  t.equal(cudaVersionText(8902, 'cudnn'), '8.9.2');
  t.equal(cudaVersionText(90100, 'cudnn'), '9.1.0');
  t.equal(cudaVersionText(0, 'cudnn'), null);
  let out = '';
  const sink = new Writable({ write(c, _e, cb) { out += String(c); cb(); } });
  t.equal(await main(['doctor', '--json'], { stdout: sink, stderr: sink }), 0);
  const r = JSON.parse(out).libtorchBackend;
  t.same(Object.keys(r).sort(), ['built', 'cuda', 'cudaVersion', 'cudnnVersion', 'devices', 'loaded', 'path', 'reason', 'torchVersion', 'usableOnCuda']);
  const st = libtorchAddonStatus();
  t.equal(r.built, st.built);
  t.equal(r.loaded, st.loaded);
  if (!st.loaded) {
    t.match(r.reason, /not built|does not load/, `addon not usable here: ${r.reason}`);
  } else {
    t.equal(r.torchVersion, st.info!.torchVersion);
    if (!st.info!.cudaAvailable) {
      t.equal(r.usableOnCuda, false);
      t.match(r.reason, /no CUDA|no CUDA device/, `no CUDA here: ${r.reason}`);
    }
  }
  out = '';
  t.equal(await main(['doctor'], { stdout: sink, stderr: sink }), 0);
  t.match(out, /^libtorch backend: (built \(libtorch [\d.]+|no — )/m, 'one line for the libtorch backend');
});

t.test('an addon that is missing or does not load: one reason, and auto says why it took ONNX Runtime', async (t) => {
  const probe = `const { libtorchAddonStatus } = require('./lib/runtime/libtorch_addon');
const { libtorchAvailability } = require('./lib/runtime/libtorch');
const { selectBackend } = require('./lib/runtime/selectBackend');
const a = libtorchAvailability();
console.log(JSON.stringify({ status: libtorchAddonStatus(), a,
  choice: selectBackend('auto', { tensorrt: { available: false, reason: 'no TensorRT' }, onnxruntime: { available: true }, libtorch: a }) }));`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-libtorch-addon-'));
  const junk = path.join(dir, 'junk.node');
  fs.writeFileSync(junk, 'not a shared object');
  for (const [file, reason] of [[path.join(dir, 'missing.node'), /missing\.node is not built \(needs cmake, a C\+\+17 compiler and libtorch; then npm run build:torch\)/],
    [junk, /junk\.node does not load \(/]] as const) {
    const r = spawnSync(process.execPath, ['-r', './tools/ts-register.js', '-e', probe],
      { cwd: path.resolve(__dirname, '..', '..'), encoding: 'utf8', env: { ...process.env, RSNA_MAMMO_TORCH_ADDON: file } });
    t.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    t.match(out.status, { built: file === junk, loaded: false, reason });
    t.match(out.a, { available: false, cuda: false, reason });
    t.equal(out.choice.backend, 'onnxruntime');
    t.match(out.choice.note, /^TensorRT not used \(no TensorRT\); using ONNX Runtime \(libtorch CUDA not used: .*(is not built|does not load)/);
  }
});

t.test('--precision: one parser for submit/predict/demo and infer', async (t) => {
  t.equal(parseRunOptions({ precision: 'fp16' }).precision, 'fp16');
  t.equal(parseRunOptions({}).precision, undefined, 'default: the session default (fp32)');
  t.throws(() => parseRunOptions({ precision: 'fp8' }), { code: 'ERR_INVALID_ARGUMENT', message: /fp32 \| tf32 \| fp16 \| bf16 for --precision/ });
});

t.test('createSession auto: libtorch on CUDA when TensorRT is not usable, one line why; else ONNX Runtime', async (t) => {
  const model = await randomEnsembleOnnx();
  const loaded: string[] = [];
  const fakeSession = { backend: 'libtorch', inputNames: ['input'], outputNames: ['probs'], inputShapes: [], outputShapes: [], run: async () => ({}), dispose: async () => undefined };
  const fakeLibtorch = (cuda: boolean): InferenceBackend => ({
    name: 'libtorch',
    availability: async () => (cuda ? { available: true, cuda: true } : { available: true, cuda: false, reason: 'CPU-only libtorch (test)' }),
    load: async (p) => { loaded.push(p); return fakeSession; },
  });
  registerBackend({ name: 'tensorrt', availability: async () => ({ available: false, reason: 'no TensorRT (test)' }), load: async () => { throw new Error('must not load'); } });
  t.teardown(() => { registerBackend(tensorrtBackend); registerBackend(libtorchBackend); });
  const lines = t.capture(process.stderr, 'write');
  const text = (): string => lines().map((c) => String(c.args[0])).join('');
  registerBackend(fakeLibtorch(true));
  t.equal(await createSession(model), fakeSession, 'libtorch loaded');
  t.same(loaded, [model]);
  t.equal(text(), 'rsna-mammo: TensorRT not used (no TensorRT (test)); using libtorch on CUDA\n', 'one line why');
  registerBackend(fakeLibtorch(false));
  const b = await createSession(model, { threads: 1 });
  t.teardown(() => b.dispose());
  t.equal(b.backend, 'onnxruntime');
  t.match(text(), /using ONNX Runtime \(libtorch CUDA not used: CPU-only libtorch \(test\)\)/);
  const forced = await createSession(model, { backend: 'libtorch' });
  t.equal(forced, fakeSession, '--backend libtorch takes it on the CPU too');
});
