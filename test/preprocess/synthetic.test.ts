// Synthetic resize goldens (../shared/golden/preprocess/synthetic_resize, README "Synthetic resize"):
// torch bilinear to 416 (§2.2.2–2.2.5) and resize_and_pad to 2048x1024 (§3.1.3), cv2 INTER_LINEAR
// uint8 fit-resize + centered pad (§3.2.3). Inputs are regenerated with the ported synth_f32/synth_u8.
import t from 'tap';
import { needsShared, sharedPath, readF32 } from '../helpers/shared';
import { imgprocAddon } from '../../lib/preprocess/addon';
import { detectorInput, resizeTrainingPath } from '../../lib/preprocess';
import { goldenDir, readJson, sha256, synthF32, synthU32, synthU8 } from './helpers';

const casesRel = `${goldenDir}/synthetic_resize/cases.json`;

t.test('synth generator port matches the README test vectors', async (t) => {
  t.same([...synthU32(4, 1)], [33350994, 2672842292, 127880910, 260803382]);
  t.same([...synthF32(1, 4, 1)], [1.9801042079925537, 158.69149780273438, 7.5925092697143555, 15.484366416931152]);
  t.same([...synthU8(1, 4, 7)], [145, 174, 37, 143]);
  t.equal(synthU32(1, 0)[0], 0);
});

t.test('float32 cases: detector input and resize_and_pad (torch CPU bilinear)', needsShared(casesRel), async (t) => {
  const cases = readJson(casesRel).float32_torch_cases as any[]; // eslint-disable-line @typescript-eslint/no-explicit-any
  for (const c of cases) {
    const img = synthF32(c.H, c.W, c.seed);
    t.equal(sha256(img), c.input.sha256, `${c.case} input regenerated`);
    const d = await detectorInput(img, c.H, c.W);
    const g = c.target_416;
    t.equal(d.ratio, g.ratio, `${c.case} ratio`);
    t.same([d.resizedHeight, d.resizedWidth], [g.out_h, g.out_w], `${c.case} resized size (415 case included)`);
    t.equal(sha256(d.resized), g.resized.sha256, `${c.case} resized 416 float32 bit-exact`);
    t.equal(sha256(d.tensor.subarray(0, 416 * 416)), g.letterbox_channel0_sha256, `${c.case} letterbox channel 0`);
    t.same(d.tensor.subarray(416 * 416, 2 * 416 * 416), d.tensor.subarray(0, 416 * 416), `${c.case} channel 1 = channel 0`);
    const trunc = Uint8Array.from(d.resized, (v) => Math.trunc(v));
    t.equal(sha256(trunc), g.resized_uint8_trunc_sha256, `${c.case} resized uint8 truncation`);
    if (g.file) {
      const full = readF32(sharedPath(`${goldenDir}/synthetic_resize/${g.file}`) as string);
      t.same(d.resized, full, `${c.case} stored resized image equal`);
    }
    for (const [y, x, v] of g.resized.samples_y_x_value) t.equal(d.resized[y * d.resizedWidth + x], v, `${c.case} sample ${y},${x}`);

    const p = c.target_2048x1024;
    const resized = await imgprocAddon().imgprocTorchResize(img, c.H, c.W, p.out_h, p.out_w);
    t.equal(sha256(resized), p.resized.sha256, `${c.case} 2048x1024 resized float32 bit-exact`);
    const padded = new Float32Array(2048 * 1024);
    for (let y = 0; y < p.out_h; y++) padded.set(resized.subarray(y * p.out_w, (y + 1) * p.out_w), (y + p.pad_top) * 1024 + p.pad_left);
    t.equal(sha256(padded), p.padded_channel0_sha256, `${c.case} padded float32`);
    t.equal(sha256(Uint8Array.from(padded, (v) => Math.trunc(v))), p.padded_uint8_trunc_sha256, `${c.case} padded uint8`);
  }
});

t.test('uint8 cases: cv2 INTER_LINEAR fixed point + centered PadIfNeeded', needsShared(casesRel), async (t) => {
  const cases = readJson(casesRel).uint8_cv2_training_path_cases as any[]; // eslint-disable-line @typescript-eslint/no-explicit-any
  for (const c of cases) {
    const img = synthU8(c.H, c.W, c.seed);
    t.equal(sha256(img), c.input.sha256, `${c.case} input regenerated`);
    const resized = await imgprocAddon().imgprocCvResizeLinear(img, c.H, c.W, c.out_h, c.out_w);
    t.equal(sha256(resized), c.resized.sha256, `${c.case} cv2 resized bit-exact`);
    for (const [y, x, v] of c.resized.samples_y_x_value) t.equal(resized[y * c.out_w + x], v, `${c.case} sample ${y},${x}`);
    const padded = await resizeTrainingPath(img, c.H, c.W);
    t.equal(sha256(padded), c.padded_sha256, `${c.case} padded 2048x1024 bit-exact`);
  }
});
