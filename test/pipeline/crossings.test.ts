/**
 * JS ↔ native crossings of one image on the CPU path (DESIGN.md "Crossings"): every call into the CPU
 * addon is counted and the size of what it hands back is measured while the prepare stage runs on the
 * example study (four 16-bit images, plus a 2776×2082 RSNA J2K from ../shared when present) with report thumbnails on. Expected: one native job for the detect
 * stage (detectorImage: min-max, detector input, Otsu, thumbnail), one for the prepare stage
 * (imgprocPrepareInput: classifier input + thumbnail), at most one decode call, and nothing of the
 * full-resolution float size (4·H·W bytes) ever returned to JS; the batch tensor is written natively.
 */
import t from 'tap';
import fs from 'fs';
import path from 'path';
import { loadCpuAddon } from '../../lib/native';
import { cpuPreprocessor } from '../../lib/pipeline/preprocessor';
import { createPrepare } from '../../lib/pipeline/stages';
import { BatchTensorBuffer } from '../../lib/pipeline/tensor';
import { repoRoot, sharedPath } from '../helpers/shared';

interface Call { name: string; returnedBytes: number }

/** Wraps every function of the CPU addon to record its name and the largest typed array it returns. */
function spyOnAddon(): { calls: Call[]; restore: () => void } {
  const addon = loadCpuAddon() as unknown as Record<string, unknown>;
  const calls: Call[] = [];
  const originals = new Map<string, (...a: unknown[]) => unknown>();
  const largest = (v: unknown): number => {
    if (ArrayBuffer.isView(v)) return v.byteLength;
    if (v && typeof v === 'object') return Math.max(0, ...Object.values(v).map((x) => (ArrayBuffer.isView(x) ? x.byteLength : x && typeof x === 'object' ? largest(x) : 0)));
    return 0;
  };
  for (const [name, fn] of Object.entries(addon)) {
    if (typeof fn !== 'function') continue;
    originals.set(name, fn as (...a: unknown[]) => unknown);
    addon[name] = (...args: unknown[]): unknown => {
      const call: Call = { name, returnedBytes: 0 };
      calls.push(call);
      const out = (fn as (...a: unknown[]) => unknown)(...args);
      if (out instanceof Promise) return out.then((v) => ((call.returnedBytes = largest(v)), v));
      call.returnedBytes = largest(out);
      return out;
    };
  }
  return { calls, restore: () => { for (const [name, fn] of originals) addon[name] = fn; } };
}

const dir = path.join(repoRoot, 'assets/example/rsna-breast-cancer-detection/test_images/901');
const files = fs.readdirSync(dir).sort().map((f) => path.join(dir, f));
const big = sharedPath('data/dicom/rsna-kaggle/test_images/10008/736471439.dcm'); // 2776×2082 J2K, when ../shared is here
if (big) files.push(big);

t.test('CPU path: one native job per stage per image, no full-resolution float image crosses', async (t) => {
  const prepare = createPrepare({ roi: 'otsu', preprocessor: cpuPreprocessor, previewWidth: 256 });
  await prepare(files[0], 'warm-up'); // loads the addon and the decoders
  const spy = spyOnAddon();
  t.teardown(spy.restore);
  for (const file of files) {
    spy.calls.length = 0;
    const p = await prepare(file, path.basename(file));
    const names = spy.calls.map((c) => c.name);
    const count = (n: string): number => names.filter((x) => x === n).length;
    // dicomCodecs is lib/dicom's constant query of the compiled codecs (no image); the decode job is dicomDecodeFrame.
    const decode = names.filter((n) => n.startsWith('dicomDecode'));
    t.equal(count('detectorImage'), 1, `${p.meta.rows}×${p.meta.columns}: detect stage = 1 native job`);
    t.equal(count('imgprocPrepareInput'), 1, 'prepare stage = 1 native job');
    t.ok(decode.length <= 1, `decode stage = ${decode.length} native job(s)`);
    t.same(names.filter((n) => !n.startsWith('dicom') && n !== 'detectorImage' && n !== 'imgprocPrepareInput'), [],
      'no other crossing (no minMaxScale255, detectorInput, otsuRoi, JS thumbnail input)');
    // Only the fixed-size model inputs come back (uint8 2048×1024 = 2 MiB; detector tensor 3×416×416 float32),
    // never the 4·H·W-byte full-resolution float image (23 MB for a 2776×2082 RSNA image).
    const modelInputs = Math.max(2048 * 1024, 3 * 416 * 416 * 4);
    const biggest = Math.max(...spy.calls.filter((c) => !c.name.startsWith('dicom')).map((c) => c.returnedBytes));
    t.ok(biggest <= modelInputs, `largest array back from detect/prepare ${biggest} B ≤ ${modelInputs} B (float image: ${4 * p.meta.rows * p.meta.columns} B)`);
    t.ok(p.preview && p.preview.image.width === 256 && p.preview.input.width === 128, 'thumbnails made natively');
    t.comment(`${path.basename(file)}: crossings ${names.join(', ')}`);
  }
});

t.test('the batch tensor [N, 3, H, W] is written by one native job: channels = the uint8 input as float', async (t) => {
  const plane = 64 * 32;
  const inputs = [0, 1].map((n) => Uint8Array.from({ length: plane }, (_, i) => (i * 13 + n * 101) % 256));
  const spy = spyOnAddon();
  t.teardown(spy.restore);
  const data = await new BatchTensorBuffer().fill(inputs, plane);
  t.same(spy.calls.map((c) => c.name), ['imgprocBatchTensor']);
  t.equal(data.length, 2 * 3 * plane);
  for (let n = 0; n < 2; n++) {
    for (let c = 0; c < 3; c++) {
      const channel = data.subarray((n * 3 + c) * plane, (n * 3 + c + 1) * plane);
      t.same(Array.from(channel), Array.from(inputs[n]), `image ${n} channel ${c} = input values (§3.1.5)`);
    }
  }
});
