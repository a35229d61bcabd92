/**
 * The libtorch backend on a CUDA device (a GPU machine with the addon built against a CUDA libtorch;
 * skipped by name elsewhere): the golden ensemble's probabilities in fp32 / tf32 within 1e-4 of the
 * CPU path and in fp16 / bf16 within 2e-3 (issue 14), CUDA graphs giving the same values, and a
 * session that takes device feeds. Timings live in tools/device-check/libtorch-check.sh, not here.
 */
import t from 'tap';
import path from 'path';
import { createLibtorchSession } from '../../lib/runtime/libtorch';
import { libtorchAddonStatus } from '../../lib/runtime/libtorch_addon';
import { FOLD_CHECKPOINTS } from '../../lib/run/modelFiles';
import { needsGpu, needsShared, readF32, sharedPath } from '../helpers/shared';
import { compare } from '../helpers/models';

const DIR = 'golden/convnext_ensemble';
const cuda = libtorchAddonStatus().info?.cudaAvailable === true;
const gate = (what: string): { skip: string | false } => {
  const g = needsGpu(cuda, `libtorch ${what}`);
  return g.skip ? g : needsShared(DIR);
};

t.test('CUDA precisions agree with the CPU path', gate('CUDA precisions'), async (t) => {
  const folds = FOLD_CHECKPOINTS.map((f) => path.join(sharedPath(DIR)!, f));
  const input = { data: readF32(path.join(sharedPath(DIR)!, 'input_0_255.bin')), dims: [2, 3, 256, 128] };
  const cpu = await createLibtorchSession('x.onnx', { checkpoints: folds, device: 'cpu', threads: 1 });
  const ref = (await cpu.run({ input })).probs.data;
  await cpu.dispose();
  const tolerance = { fp32: 1e-4, tf32: 1e-4, fp16: 2e-3, bf16: 2e-3 } as const;
  for (const precision of ['fp32', 'tf32', 'fp16', 'bf16'] as const) {
    for (const cudaGraphs of [false, true]) {
      const s = await createLibtorchSession('x.onnx', { checkpoints: folds, device: 'cuda:0', precision, channelsLast: true, cudaGraphs });
      t.equal(s.acceptsDeviceInput, true, 'a CUDA session takes device feeds');
      const first = (await s.run({ input })).probs.data;
      const again = (await s.run({ input })).probs.data;
      await s.dispose();
      const r = compare(first, ref, tolerance[precision]);
      t.ok(r.ok, `${precision}${cudaGraphs ? ' + CUDA graphs' : ''}: max |p − p_cpu| ${r.maxAbs.toExponential(2)} (≤ ${tolerance[precision]})`);
      t.ok(compare(again, first, 1e-6).ok, `${precision}${cudaGraphs ? ' + CUDA graphs' : ''}: a second run gives the same values (≤ 1e-6)`);
    }
  }
});
