// CUDA twin of the YOLOX decode + filter (native/roi/yolox_decode.cu) against the CPU kernel on the
// golden raw outputs (ALGORITHMS.md §2.4–§2.5.2). Skips visibly, by name, without a usable GPU.
import t from 'tap';
import { cudaAddonPath, tryLoadCudaAddon } from '../../lib/native';
import { roiAddon, RoiKernelAddon } from '../../lib/roi/addon';
import { needsGpu, readF32, sharedPath } from '../helpers/shared';

// The project's loader: the CUDA addon only when a driver and a GPU are usable (test-loaded first).
const gpu = tryLoadCudaAddon(() => undefined) as (RoiKernelAddon & { deviceInfo(): { deviceCount: number } }) | undefined;
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
  for (let a = 0; a < 3549; a += 97) synth[a * 6 + 2] = 150; // exp overflow
  for (let a = 5; a < 3549; a += 89) synth[a * 6 + 3] = -150; // underflow
  for (let a = 7; a < 3549; a += 101) synth[a * 6 + 2] = NaN;
  inputs.push(['synthetic', synth]);
  for (const [name, raw] of inputs) {
    const cpu = roiAddon().yoloxDecodeFilter(raw, 416, 0.5);
    const dev = gpu!.yoloxDecodeFilter(raw, 416, 0.5);
    t.same(Array.from(dev.candidates), Array.from(cpu.candidates), `${name}: same candidates (${cpu.candidates.length})`);
    let bad = 0;
    for (let i = 0; i < cpu.decoded.length; i++) if (!Object.is(dev.decoded[i], cpu.decoded[i])) bad++;
    // Same float32 operation order and the same exp recipe (torch_expf.h): bit-identical.
    t.equal(bad, 0, `${name}: decoded bit-identical`);
  }
});

t.test('the CUDA addon binary carries the ROI twin (built here by scripts/build-cuda.js)', { skip: cudaAddonPath() ? false : 'CUDA addon not built here' }, async (t) => {
  // Loading the binary needs no GPU (cudart is static); the twin is registered as module roi_cuda.
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const binary = require(cudaAddonPath()!) as { modules: string[]; yoloxDecodeFilter: unknown };
  t.ok(binary.modules.includes('roi_cuda'));
  t.type(binary.yoloxDecodeFilter, 'function');
});
