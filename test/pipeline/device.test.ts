// The pipeline's `device` option (lib/pipeline/gpuStages.ts): 'auto' falls back to the CPU with one
// line and still reproduces the e2e golden's ROI boxes and classifier inputs (../shared/golden/e2e,
// patient 10008, Otsu ROI, ALGORITHMS.md §2.6, §3.1); 'cuda' without a usable GPU fails with
// ERR_CUDA_UNAVAILABLE naming the reason; where a GPU is usable, the CUDA prepare stage equals the
// CPU one byte for byte (skipped by name elsewhere).
import t from 'tap';
import crypto from 'crypto';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { Writable } from 'stream';
import { main } from '../../lib/cli/main';
import type { MammoImage } from '../../lib/image';
import { cudaAddonStatus } from '../../lib/native';
import { createPipeline } from '../../lib/pipeline/createPipeline';
import { cudaPreprocessor, requireDevice, resolvePreprocessor, withCpuFallback } from '../../lib/pipeline/gpuStages';
import { cpuPreprocessor, ImagePreprocessor } from '../../lib/pipeline/preprocessor';
import { createPrepare } from '../../lib/pipeline/stages';
import { hostInput } from '../../lib/pipeline/classifierInput';
import { detectorInput } from '../../lib/preprocess';
import { resizedUint8 } from '../../lib/roi';
import { parseRunOptions } from '../../lib/run/runOptions';
import { needsGpu, needsShared, sharedPath } from '../helpers/shared';

const status = cudaAddonStatus();
const gpuUsable = status.usable;
const imagesDir = 'data/dicom/rsna-kaggle/test_images/10008';
const missing = [imagesDir, 'golden/e2e/e2e.json'].map(needsShared).find((s) => s.skip);

interface GoldenImage { image_id: number; roi_path: string; roi_xyxy: number[]; roi_area_pct: number; png_channel0_sha256: string }
const golden = (): GoldenImage[] => JSON.parse(fs.readFileSync(sharedPath('golden/e2e/e2e.json')!, 'utf8')).per_image;
const dcmOf = (g: GoldenImage): string => `${sharedPath(imagesDir)}/${g.image_id}.dcm`;
const sha256 = (u8: Uint8Array): string => crypto.createHash('sha256').update(u8).digest('hex');

t.test("device 'auto' without a usable GPU: one line why, then the CPU path", { skip: gpuUsable ? 'a GPU is usable here' : false }, async (t) => {
  const lines: string[] = [];
  const p = resolvePreprocessor('auto', (l) => lines.push(l));
  t.equal(p.device, 'cpu');
  t.equal(lines.length, 1, 'exactly one line');
  t.match(lines[0], /GPU not used: .+; using the CPU path/);
  t.ok(lines[0].includes(status.reason!), `names the reason (${status.reason})`);
});

t.test("device 'auto' reproduces the e2e golden's ROI and classifier input (--roi otsu)", { skip: missing?.skip ?? false }, async (t) => {
  const lines: string[] = [];
  const prepare = createPrepare({ roi: 'otsu', preprocessor: resolvePreprocessor('auto', (l) => lines.push(l)) });
  for (const g of golden()) {
    const p = await prepare(dcmOf(g), String(g.image_id));
    t.equal(p.device, gpuUsable ? 'cuda' : 'cpu', `${g.image_id}: prepared on ${p.device}`);
    t.equal(p.roi.method, g.roi_path, `${g.image_id}: ROI method ${g.roi_path}`);
    t.same(p.roi.box, g.roi_xyxy, `${g.image_id}: ROI box`);
    t.ok(Math.abs(p.roi.areaPct - g.roi_area_pct) < 1e-6, `${g.image_id}: area ${p.roi.areaPct} vs ${g.roi_area_pct}`);
    t.equal(sha256(await hostInput(p.input)), g.png_channel0_sha256, `${g.image_id}: classifier input sha256 = golden`);
  }
  t.equal(lines.length, gpuUsable ? 0 : 1, 'the fallback line once, not per image');
});

t.test("device 'cuda' without a usable GPU fails with ERR_CUDA_UNAVAILABLE and the reason", { skip: gpuUsable ? 'a GPU is usable here' : false }, async (t) => {
  t.throws(() => resolvePreprocessor('cuda', () => t.fail('no log line')), { code: 'ERR_CUDA_UNAVAILABLE', message: new RegExp(escape(status.reason!)) });
  // Before any model is opened: the classifier path does not even exist.
  await t.rejects(createPipeline({ classifier: '/nonexistent/ensemble.onnx', roi: 'otsu', device: 'cuda' }),
    { code: 'ERR_CUDA_UNAVAILABLE', message: /the GPU path is not available: .+/ });
});

t.test("--device cuda without a usable GPU: one line with the reason, before any model conversion", { skip: gpuUsable ? 'a GPU is usable here' : false }, async (t) => {
  t.throws(() => requireDevice('cuda'), { code: 'ERR_CUDA_UNAVAILABLE' });
  t.doesNotThrow(() => { requireDevice('auto'); requireDevice('cpu'); });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-device-'));
  fs.writeFileSync(path.join(dir, 'x.dcm'), '');
  let err = '';
  const stderr = new Writable({ write(c, _e, cb) { err += String(c); cb(); } });
  const code = await main(['predict', dir, '--models', path.join(dir, 'models'), '--roi', 'otsu', '--device', 'cuda'], { stdout: new Writable({ write: (_c, _e, cb) => cb() }), stderr });
  t.equal(code, 1);
  t.match(err, /predict: the GPU path is not available: .+ \[ERR_CUDA_UNAVAILABLE\]/);
  t.notMatch(err, /convert|model/i, 'fails before looking at the models');
  fs.rmSync(dir, { recursive: true, force: true });
});

t.test('device values are checked', async (t) => {
  t.throws(() => resolvePreprocessor('gpu' as never, () => {}), { code: 'ERR_INVALID_ARGUMENT' });
  await t.rejects(createPipeline({ classifier: 'x.onnx', roi: 'otsu', device: 'gpu' as never }), { code: 'ERR_INVALID_ARGUMENT', message: /options\.device/ });
  t.throws(() => parseRunOptions({ device: 'gpu' }), { code: 'ERR_INVALID_ARGUMENT', message: /--device/ });
  t.equal(parseRunOptions({}).device, 'auto', 'default auto');
  t.equal(parseRunOptions({ device: 'cpu' }).device, 'cpu');
  t.equal(resolvePreprocessor('cpu', () => t.fail('no line')), cpuPreprocessor);
});

t.test("'auto' moves to the CPU after a CUDA failure (ERR_CUDA*), with one line; other errors stay the image's", async (t) => {
  let calls = 0;
  const broken: ImagePreprocessor = {
    device: 'cuda',
    async run() {
      calls += 1;
      throw Object.assign(new Error('out of memory'), { code: calls === 1 ? 'ERR_CUDA' : 'ERR_CUDA_OOM' });
    },
  };
  const lines: string[] = [];
  const p = withCpuFallback(broken, (l) => lines.push(l));
  const raw = new Int16Array(64 * 48).map((_, i) => (i * 37) % 1000);
  const meta = { windowCenter: [], windowWidth: [], invert: false };
  const image: MammoImage = { file: 'synthetic', pixels: raw, stored: raw, height: 64, width: 48, invert: false, window: meta,
    decoder: 'raw', meta: {}, timings: { readMs: 0, decodeMs: 0 } };
  const o = { method: 'otsu' as const, height: 64, width: 32 };
  t.equal(p.device, 'cuda');
  const a = await p.run(image, o);
  const b = await p.run(image, o);
  const c = await cpuPreprocessor.run(image, o);
  t.equal(p.device, 'cpu');
  t.equal(calls, 1, 'the GPU is not tried again');
  t.equal(lines.length, 1);
  t.match(lines[0], /GPU preprocessing failed \(out of memory\); using the CPU path/);
  t.same([a.roi, Buffer.from(a.input as Uint8Array)], [c.roi, Buffer.from(c.input as Uint8Array)], 'CPU results');
  t.same(b.input, c.input);
  t.same([a.device, b.device, c.device], ['cpu', 'cpu', 'cpu'], 'each result names the device that computed it');
  if (!gpuUsable) {
    // The real CUDA preprocessor here: its upload fails with ERR_CUDA_UNAVAILABLE, so the image is redone on the CPU.
    const real = withCpuFallback(cudaPreprocessor, (l) => lines.push(l));
    const r = await real.run(image, o);
    t.equal(r.device, 'cpu');
    t.same(Buffer.from(r.input as Uint8Array), Buffer.from(c.input as Uint8Array));
    t.match(lines[1], /GPU preprocessing failed \(the GPU path is not available: .+\); using the CPU path/);
  }
  const other = withCpuFallback({ device: 'cuda', run: async () => { throw Object.assign(new Error('bad box'), { code: 'ERR_INVALID_ARGUMENT' }); } }, () => t.fail('no line'));
  await t.rejects(other.run(image, o), { code: 'ERR_INVALID_ARGUMENT' });
});

t.test("the Otsu input from the tensor's top-left block equals the truncated resized image (§2.2.4, §2.6.1)", async (t) => {
  const rows = 300;
  const cols = 217;
  const f = new Float32Array(rows * cols).map((_, i) => ((i * 7919) % 25600) / 100.37);
  const d = await detectorInput(f, rows, cols);
  const fromTensor = resizedUint8({ tensor: d.tensor, ratio: d.ratio, resizedHeight: d.resizedHeight, resizedWidth: d.resizedWidth });
  t.equal(fromTensor.length, d.resizedHeight * d.resizedWidth);
  t.same(Buffer.from(fromTensor), Buffer.from(Uint8Array.from(d.resized)));
});

t.test('CUDA prepare stage == CPU prepare stage byte for byte (patient 10008, --roi otsu)', {
  ...needsGpu(gpuUsable, 'CUDA prepare stage vs CPU prepare stage'),
  ...(gpuUsable && missing ? missing : {}),
}, async (t) => {
  const cpu = createPrepare({ roi: 'otsu', preprocessor: cpuPreprocessor });
  const gpu = createPrepare({ roi: 'otsu', preprocessor: cudaPreprocessor });
  for (const g of golden()) {
    const [c, d] = [await cpu(dcmOf(g), 'c'), await gpu(dcmOf(g), 'g')];
    t.equal(d.device, 'cuda');
    t.same(d.roi, c.roi, `${g.image_id}: ROI`);
    t.equal(d.decoder, c.decoder);
    t.equal((d.input as { location?: string }).location, 'cuda', `${g.image_id}: the input stays on the GPU`);
    const [dh, ch] = [await hostInput(d.input), await hostInput(c.input)];
    t.equal(Buffer.compare(Buffer.from(dh), Buffer.from(ch)), 0, `${g.image_id}: classifier input bytes`);
    t.equal(sha256(dh), g.png_channel0_sha256, `${g.image_id}: = golden`);
  }
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
