/**
 * lib/runtime: sessions run in a worker thread (the event loop keeps turning during `run`, which
 * onnxruntime-node's own `run` does not allow), unavailable execution providers and backends fall
 * back to CPU / onnxruntime with one message, and every failure is a clear error.
 */
import t from 'tap';
import fs from 'fs';
import path from 'path';
import { convertClassifier } from '../../lib/models';
import { createSession, registerBackend, InferenceBackend } from '../../lib/runtime';
import { needsShared, readF32, sharedPath } from '../helpers/shared';
import { compare, tmpDir, turnsDuring } from '../helpers/models';

const DIR = 'golden/convnext_ensemble';
const dir = tmpDir('runtime');
let model = '';

/** Collects what the runtime writes to stderr while `fn` runs. */
async function stderrOf<T>(fn: () => Promise<T>): Promise<{ value: T; text: string }> {
  const write = process.stderr.write.bind(process.stderr);
  let text = '';
  process.stderr.write = ((chunk: string | Uint8Array) => { text += String(chunk); return true; }) as typeof process.stderr.write;
  try {
    return { value: await fn(), text };
  } finally {
    process.stderr.write = write;
  }
}

t.before(async () => {
  if (!sharedPath(DIR)) return;
  model = path.join(dir, 'ensemble.onnx');
  await convertClassifier([0, 1, 2, 3].map((i) => path.join(sharedPath(DIR)!, `best_convnext_fold_${i}.pth.tar`)), model);
});

t.test('run happens off the main thread: the event loop keeps turning', needsShared(DIR), async (t) => {
  const s = await createSession(model);
  t.teardown(() => s.dispose());
  t.equal(s.backend, 'onnxruntime');
  const big = { data: new Float32Array(2 * 3 * 512 * 256).fill(117), dims: [2, 3, 512, 256] };
  const turns = await turnsDuring(s.run({ input: big }));
  t.ok(turns > 5, `${turns} event-loop turns during one run`);
  const input = { data: readF32(path.join(sharedPath(DIR)!, 'input_0_255.bin')), dims: [2, 3, 256, 128] };
  const copy = input.data.slice();
  const out = await s.run({ input });
  t.same(input.data, copy, "the caller's input buffer is left intact");
  t.ok(compare(out.probs.data, readF32(path.join(sharedPath(DIR)!, 'probs.bin')), 1e-5).ok, 'results equal probs.bin');
  const both = await Promise.all([s.run({ input }), s.run({ input })]);
  t.same(both[0].probs.data, both[1].probs.data, 'concurrent runs resolve independently');
});

t.test('SharedArrayBuffer inputs reach the worker without a copy and give the golden result', needsShared(DIR), async (t) => {
  const s = await createSession(model, { backend: 'onnxruntime' });
  t.teardown(() => s.dispose());
  const golden = readF32(path.join(sharedPath(DIR)!, 'input_0_255.bin'));
  const shared = new Float32Array(new SharedArrayBuffer(golden.byteLength + 64), 16, golden.length);
  shared.set(golden);
  const out = await s.run({ input: { data: shared, dims: [2, 3, 256, 128] } });
  t.ok(compare(out.probs.data, readF32(path.join(sharedPath(DIR)!, 'probs.bin')), 1e-5).ok, 'results equal probs.bin');
  t.same(Array.from(shared.subarray(0, 8)), Array.from(golden.subarray(0, 8)), 'the shared input is left as it was');
});

t.test('unavailable execution providers fall back to CPU with a message', needsShared(DIR), async (t) => {
  const { value: s, text } = await stderrOf(() => createSession(model, { backend: 'onnxruntime', providers: ['cuda', 'cpu'], threads: 1 }));
  t.teardown(() => s.dispose());
  t.match(text, /rsna-mammo: onnxruntime: execution provider "cuda" is not installed.*falling back to cpu/);
  t.equal(text.trim().split('\n').length, 1, 'one line');
  t.same((s as unknown as { providers: string[] }).providers, ['cpu']);
  const out = await s.run({ input: { data: readF32(path.join(sharedPath(DIR)!, 'input_0_255.bin')), dims: [2, 3, 256, 128] } });
  t.same(out.probs.dims, [2, 4]);
});

t.test("'auto' falls back from an unavailable tensorrt backend to onnxruntime", needsShared(DIR), async (t) => {
  const fake: InferenceBackend = {
    name: 'tensorrt',
    availability: async () => ({ available: false, reason: 'no NVIDIA GPU in this test' }),
    load: async () => { throw new Error('must not be called'); },
  };
  registerBackend(fake);
  const { value: s, text } = await stderrOf(() => createSession(model));
  t.teardown(() => s.dispose());
  t.equal(s.backend, 'onnxruntime');
  t.match(text, /rsna-mammo: TensorRT not used \(no NVIDIA GPU in this test\); using ONNX Runtime/);
  await t.rejects(createSession(model, { backend: 'tensorrt' }), { code: 'ERR_BACKEND_UNAVAILABLE', message: /no NVIDIA GPU in this test/ });
});

t.test('clear errors: bad backend, missing/corrupt model, wrong input, disposed session', needsShared(DIR), async (t) => {
  t.throws(() => registerBackend({ name: 'x' } as unknown as InferenceBackend), { code: 'ERR_INVALID_ARGUMENT' });
  await t.rejects(createSession(path.join(dir, 'missing.onnx')), { code: 'ERR_FILE_NOT_FOUND' });
  const junk = path.join(dir, 'junk.onnx');
  fs.writeFileSync(junk, 'not a model');
  await t.rejects(createSession(junk), { code: 'ERR_MODEL_LOAD', message: /junk\.onnx: onnxruntime cannot load the model/ });
  const s = await createSession(model);
  await t.rejects(s.run({ input: { data: new Float32Array(12), dims: [1, 4, 3, 1] } }), { code: 'ERR_INFERENCE' });
  await s.dispose();
  await t.rejects(s.run({ input: { data: new Float32Array(3), dims: [1, 3, 1, 1] } }), { code: 'ERR_SESSION_CLOSED' });
});
