// CUDA twin of the YOLOX decode + filter (native/roi/yolox_decode.cu) against the CPU kernel on the
// golden raw outputs (PIPELINE.md §2.4–§2.5.2). Skips visibly, by name, without a usable GPU.
import t from 'tap';
import fs from 'fs';
import path from 'path';
import { roiAddon, RoiKernelAddon } from '../../lib/roi/addon';
import { needsGpu, readF32, repoRoot, sharedPath } from '../helpers/shared';

// TODO(gpu merge): use the CUDA loader of lib/native.ts once it exists.
function cudaAddon(): (RoiKernelAddon & { deviceInfo(): { deviceCount: number } }) | undefined {
  const file = path.join(repoRoot, 'build-cuda', 'Release', 'rsna_mammo_cuda.node');
  if (!fs.existsSync(file)) return undefined;
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    return require(file);
  } catch {
    return undefined;
  }
}

const gpu = cudaAddon();
const usable = !!gpu && gpu.deviceInfo().deviceCount > 0;

t.test('yoloxDecodeFilter: CUDA == CPU', needsGpu(usable, 'yoloxDecodeFilter CUDA vs CPU'), async (t) => {
  const inputs: [string, Float32Array][] = [];
  for (const rel of ['golden/preprocess/yolox_decode/case0_cluster.raw.f32.bin', 'golden/yolox/shifted.raw_nodecode.bin']) {
    const p = sharedPath(rel);
    if (p) inputs.push([rel, readF32(p)]);
  }
  // Plus a synthetic head output with scores around the threshold.
  const synth = new Float32Array(3549 * 6);
  for (let i = 0; i < synth.length; i++) synth[i] = i % 6 < 4 ? Math.sin(i) * 3 : 0.5 + 0.5 * Math.cos(i * 0.37);
  inputs.push(['synthetic', synth]);
  for (const [name, raw] of inputs) {
    const cpu = roiAddon().yoloxDecodeFilter(raw, 416, 0.5);
    const dev = gpu!.yoloxDecodeFilter(raw, 416, 0.5);
    t.same(Array.from(dev.candidates), Array.from(cpu.candidates), `${name}: same candidates (${cpu.candidates.length})`);
    let worst = 0;
    let bad = 0;
    for (let i = 0; i < cpu.decoded.length; i++) {
      const d = Math.abs(dev.decoded[i] - cpu.decoded[i]);
      worst = Math.max(worst, d);
      // expf on the device is within 2 ulp: well inside the golden's 0.05 + 1e-3·|b|.
      if (!(d <= 0.05 + 1e-3 * Math.abs(cpu.decoded[i]))) bad++;
    }
    t.equal(bad, 0, `${name}: decoded equal within tolerance (max abs diff ${worst})`);
  }
});

t.test('the CUDA addon carries the ROI twin (built here by scripts/build-cuda.js)', { skip: gpu ? false : 'CUDA addon not built here' }, async (t) => {
  t.type((gpu as unknown as Record<string, unknown>).yoloxDecodeFilter, 'function');
});
