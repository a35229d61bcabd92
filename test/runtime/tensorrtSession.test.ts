// TensorRtSession's own logic with a stand-in engine (no GPU): names and shapes from the engine's
// tensors, batches larger than the profile split into concurrent runs and re-joined in order,
// feed validation, dispose.
import t from 'tap';
import { TensorRtSession } from '../../lib/runtime/tensorrt';
import type { NativeTensor, TensorRtEngine } from '../../lib/gpu/tensorrtAddon';

// A 2-batch "engine": per item, output = [sum of the item's 3 values, item's first value].
function fakeEngine(calls: number[]): TensorRtEngine {
  return {
    tensors: [
      { name: 'images', isInput: true, dataType: 'float32', dims: [-1, 3], minDims: [1, 3], maxDims: [2, 3] },
      { name: 'probs', isInput: false, dataType: 'float32', dims: [-1, 2], minDims: [-1, 2], maxDims: [-1, 2] },
    ],
    async run(feeds: Record<string, NativeTensor>) {
      const x = feeds.images;
      calls.push(x.dims[0]);
      if (x.dims[0] > 2) throw Object.assign(new Error('outside the profile'), { code: 'ERR_TRT_SHAPE' });
      const out = new Float32Array(x.dims[0] * 2);
      for (let b = 0; b < x.dims[0]; b++) {
        out[2 * b] = x.data[3 * b] + x.data[3 * b + 1] + x.data[3 * b + 2];
        out[2 * b + 1] = x.data[3 * b];
      }
      return { probs: { dims: [x.dims[0], 2], data: out } };
    },
    dispose() {},
  };
}

t.test('session shape facts come from the engine', async (t) => {
  const s = new TensorRtSession(fakeEngine([]), '/e.engine');
  t.equal(s.backend, 'tensorrt');
  t.same(s.inputNames, ['images']);
  t.same(s.outputNames, ['probs']);
  t.same(s.inputShapes, [[-1, 3]]);
  t.equal(s.maxBatch, 2);
});

t.test('a batch of 5 runs as 2 + 2 + 1 and comes back in order', async (t) => {
  const calls: number[] = [];
  const s = new TensorRtSession(fakeEngine(calls), '/e.engine');
  const data = Float32Array.from({ length: 15 }, (_, i) => i);
  const out = await s.run({ images: { data, dims: [5, 3] } });
  t.same(calls, [2, 2, 1]);
  t.same(out.probs.dims, [5, 2]);
  // item b holds 3b, 3b+1, 3b+2: sum 9b + 3, first 3b.
  t.same([...out.probs.data], [3, 0, 12, 3, 21, 6, 30, 9, 39, 12]);
});

t.test('feeds are validated; errors name the engine; dispose ends the session', async (t) => {
  const s = new TensorRtSession(fakeEngine([]), '/e.engine');
  await t.rejects(s.run({}), { code: 'ERR_INVALID_ARGUMENT', message: /feed "images"/ });
  await t.rejects(s.run({ images: { data: new Float32Array(0), dims: [0, 3] } }), { code: 'ERR_INVALID_ARGUMENT', message: /batch dimension >= 1/ });
  await s.dispose();
  await t.rejects(s.run({ images: { data: new Float32Array(3), dims: [1, 3] } }), { code: 'ERR_SESSION_DISPOSED' });
});

t.test('a DeviceTensor feed is passed to the engine by address (no host data); a split offsets the address', async (t) => {
  const seen: { address: bigint; dims: number[]; hasData: boolean }[] = [];
  const engine: TensorRtEngine = {
    ...fakeEngine([]),
    async run(feeds) {
      const x = feeds.images as { address: bigint; dims: number[]; data?: unknown };
      seen.push({ address: x.address, dims: x.dims, hasData: 'data' in x });
      return { probs: { dims: [x.dims[0], 2], data: new Float32Array(x.dims[0] * 2).fill(x.dims[0]) } };
    },
  };
  const s = new TensorRtSession(engine, '/e.engine');
  t.equal(s.acceptsDeviceInput, true, 'a GPU backend');
  const base = 0x7f0000001000n;
  const out = await s.run({ images: { location: 'cuda', deviceId: 0, address: base, dims: [5, 3], dtype: 'float32', owner: null } });
  t.same(seen.map((x) => x.dims[0]), [2, 2, 1]);
  t.same(seen.map((x) => x.address), [base, base + 24n, base + 48n], '3 floats × 4 bytes per row');
  t.ok(seen.every((x) => !x.hasData), 'no host data made');
  t.same(out.probs.dims, [5, 2]);
  await t.rejects(s.run({ images: { location: 'cuda', deviceId: 0, address: 1 as never, dims: [1, 3], dtype: 'float32', owner: null } }),
    { code: 'ERR_INVALID_ARGUMENT' }, 'the address must be a BigInt');
});
