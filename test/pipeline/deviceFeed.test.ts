// The GPU path's engine input never visits host memory (issue 11, docs/GPU.md "The engine input stays
// on the GPU"): with a mocked CUDA addon and a mocked runtime (no GPU runs here), the pipeline keeps
// each classifier input on the device, assembles the batch there and hands run() a DeviceTensor; the
// fake addon counts every device→host copy of the input, and there must be none. A session without
// acceptsDeviceInput gets host data from exactly one copy per batch; a report preview copies the
// image's input only when asked. Batch values: 3 identical channels of the uint8 input, §3.1.4–3.1.5.
import t, { Test } from 'tap';
import fs from 'fs';
import os from 'os';
import path from 'path';
import * as actualNative from '../../lib/native';
import * as actualRuntime from '../../lib/runtime';
import type { Feed, InferenceSession, TensorData } from '../../lib/runtime/types';
import { GpuPlane } from '../../lib/gpu/pipeline';
import { writeSyntheticDicom } from '../helpers/dicomWriter';

const [H, W] = [64, 32];
const FOLDS = 4;

/** The uint8 classifier input the fake GPU "computes" for image number `n`. */
const planeOf = (n: number): Uint8Array => Uint8Array.from({ length: H * W }, (_, i) => (i * 7 + n * 31) % 256);

/** A stand-in for native/cuda_addon: the same surface, device memory simulated, host copies counted. */
function fakeCudaAddon() {
  const counts = { uploads: 0, hostCopies: 0, planes: 0, planesFreed: 0, fills: 0 };
  class FakePlane {
    constructor(readonly height: number, readonly width: number, readonly pixels: Uint8Array) { counts.planes += 1; }
    async download(): Promise<Uint8Array> { counts.hostCopies += 1; return this.pixels.slice(); }
    dispose(): void { counts.planesFreed += 1; }
  }
  let images = 0;
  const addon = {
    modules: ['fake'],
    deviceInfo: () => ({ runtimeVersion: 13000, driverVersion: 13000, deviceCount: 1, devices: [] }),
    async cudaImageUpload(_raw: Int16Array, rows: number, cols: number) {
      counts.uploads += 1;
      const n = images++;
      return {
        async detectorInput(_invert: boolean, size: number) {
          return { tensor: new Float32Array(3 * size * size), ratio: size / Math.max(rows, cols), resizedHeight: size, resizedWidth: size, constant: true };
        },
        // Main's GPU path: the classifier input returned to the host.
        async classifierInput(_box: number[], _w: unknown, _inv: boolean, h: number, w: number) {
          counts.hostCopies += 1;
          return { pixels: planeOf(n).subarray(0, h * w) };
        },
        async classifierPlane(_box: number[], _w: unknown, _inv: boolean, h: number, w: number) {
          return new FakePlane(h, w, planeOf(n));
        },
        dispose() {},
      };
    },
    cudaBatchTensor() {
      let data = new Float32Array(0);
      let dims: number[] = [];
      return {
        address: 0x7f0000000000n,
        deviceId: 0,
        get dims() { return dims; },
        async fill(items: (FakePlane | Uint8Array)[], h: number, w: number) {
          counts.fills += 1;
          const plane = h * w;
          data = new Float32Array(items.length * 3 * plane);
          items.forEach((item, b) => {
            const px = item instanceof Uint8Array ? item : item.pixels;  // on the device, no host copy
            for (let c = 0; c < 3; c++) for (let i = 0; i < plane; i++) data[(b * 3 + c) * plane + i] = px[i];
          });
          dims = [items.length, 3, h, w];
        },
        async download(into: Float32Array) { counts.hostCopies += 1; into.set(data); },
        dispose() {},
        get values() { return data; },
      };
    },
  };
  return { addon, counts };
}

/** A runtime session that records its feeds; fold k of image b gets (b + 1) / 10 + k / 100. */
function fakeSession(acceptsDeviceInput: boolean) {
  const feeds: Feed[] = [];
  const session: InferenceSession = {
    backend: acceptsDeviceInput ? 'fake-gpu' : 'fake-cpu',
    inputNames: ['input'],
    outputNames: ['probs'],
    inputShapes: [['batch', 3, H, W]],
    outputShapes: [['batch', FOLDS]],
    acceptsDeviceInput,
    async run(f) {
      const feed = f.input;
      // Host feeds are views of storage reused by the next batch: keep a copy (a real runtime copies too).
      feeds.push('data' in feed ? { data: feed.data.slice(), dims: feed.dims } : feed);
      const n = feed.dims[0];
      const data = Float32Array.from({ length: n * FOLDS }, (_, i) => (Math.floor(i / FOLDS) + 1) / 10 + (i % FOLDS) / 100);
      return { probs: { data, dims: [n, FOLDS] } };
    },
    async dispose() {},
  };
  return { session, feeds };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-device-feed-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
const files = [0, 1, 2].map((k) => {
  const file = path.join(dir, `${k}.dcm`);
  const data = Uint16Array.from({ length: 48 * 40 }, (_, i) => (i * 13 + k * 101) % 4096);
  writeSyntheticDicom(file, { SOPInstanceUID: `1.2.3.${k}`, BitsStored: 12, WindowCenter: 2048, WindowWidth: 4096 }, { rows: 48, columns: 40, data });
  return file;
});

async function runGpuPipeline(t: Test, acceptsDeviceInput: boolean, previewWidth?: number) {
  const cuda = fakeCudaAddon();
  const runtime = fakeSession(acceptsDeviceInput);
  const { createPipeline } = t.mockRequire('../../lib/pipeline/createPipeline', {
    '../../lib/native': { ...actualNative, loadCudaAddon: () => cuda.addon },
    '../../lib/runtime': { ...actualRuntime, createSession: async () => runtime.session },
  }) as typeof import('../../lib/pipeline/createPipeline');
  const pipeline = await createPipeline({ classifier: 'fake.onnx', roi: 'otsu', device: 'cuda', batchSize: 2, inputSize: [H, W], previewWidth });
  const results = [];
  for await (const r of pipeline.predictMany(files)) results.push(r);
  await pipeline.close();
  return { results, counts: cuda.counts, feeds: runtime.feeds };
}

t.test('GPU path + a session that accepts device input: run() gets a DeviceTensor, no host copy of the input', async (t) => {
  const { results, counts, feeds } = await runGpuPipeline(t, true);
  t.same(results.map((r) => r.ok && r.device), ['cuda', 'cuda', 'cuda'], 'every image prepared on the (fake) GPU');
  t.equal(counts.uploads, 3, 'one upload per image');
  t.equal(feeds.length, 2, 'batches of 2 and 1');
  for (const [b, feed] of feeds.entries()) {
    const d = feed as Extract<Feed, { location: 'cuda' }>;
    t.equal(d.location, 'cuda', `batch ${b}: a DeviceTensor`);
    t.equal(d.dtype, 'float32');
    t.equal(typeof d.address, 'bigint');
    t.equal(d.deviceId, 0);
    t.same(d.dims, [b === 0 ? 2 : 1, 3, H, W]);
    t.notOk('data' in feed, `batch ${b}: no host data`);
    // The batch the (fake) device assembled: 3 identical channels of each image's uint8 input, in order.
    const values = (d.owner as { handle?: { values: Float32Array } } | undefined)?.handle?.values;
    if (values && b === 0) {
      t.same(Array.from(values.subarray(0, 5)), Array.from(planeOf(0).subarray(0, 5)), 'slot 0 channel 0 = image 0');
      t.same(Array.from(values.subarray(2 * H * W, 2 * H * W + 5)), Array.from(planeOf(0).subarray(0, 5)), 'slot 0 channel 2 = image 0');
      t.same(Array.from(values.subarray(3 * H * W, 3 * H * W + 5)), Array.from(planeOf(1).subarray(0, 5)), 'slot 1 = image 1');
    }
  }
  t.equal(counts.hostCopies, 0, 'no device→host copy of the classifier input');
  t.equal(counts.planesFreed, counts.planes, 'every device input freed after its batch');
  const first = results[0];
  t.same(first.ok && first.foldProbabilities, [0.1, 0.11, 0.12, 0.13].map(Math.fround), 'fold probabilities from run()');
});

t.test('GPU path + a host-only session: one device→host copy per batch, values §3.1.4–3.1.5', async (t) => {
  const { results, counts, feeds } = await runGpuPipeline(t, false);
  t.ok(results.every((r) => r.ok));
  t.equal(feeds.length, 2);
  t.equal(counts.hostCopies, 2, 'one copy per batch, none per image');
  const host = feeds[0] as TensorData;
  t.ok(host.data instanceof Float32Array, 'host data');
  t.same(host.dims, [2, 3, H, W]);
  const plane = H * W;
  let ok = true;
  for (let b = 0; b < 2; b++) for (let c = 0; c < 3; c++) for (let i = 0; i < plane; i += 97) ok &&= host.data[(b * 3 + c) * plane + i] === planeOf(b)[i];
  t.ok(ok, 'channel c of slot b equals image b’s uint8 input');
});

t.test('report previews copy the input to the host only when asked', async (t) => {
  const asked = await runGpuPipeline(t, true, 16);
  t.ok(asked.results.every((r) => r.ok && r.preview?.input), 'previews made');
  t.equal(asked.counts.hostCopies, 3, 'one copy per image, for its thumbnail');
  const none = await runGpuPipeline(t, true);
  t.ok(none.results.every((r) => r.ok && !r.preview));
  t.equal(none.counts.hostCopies, 0);
});

t.test('a batch mixing a GPU input and a CPU-prepared one (after a CUDA fallback) is assembled on the device', async (t) => {
  const cuda = fakeCudaAddon();
  const { BatchFeeder } = t.mockRequire('../../lib/pipeline/batchFeed', {
    '../../lib/native': { ...actualNative, loadCudaAddon: () => cuda.addon },
  }) as typeof import('../../lib/pipeline/batchFeed');
  const image = await cuda.addon.cudaImageUpload(new Int16Array(4), 2, 2);
  const feeder = new BatchFeeder({ acceptsDeviceInput: true });
  const gpuInput = new GpuPlane(await image.classifierPlane([0, 0, 2, 2], {}, false, H, W) as never);
  const feed = await feeder.feed([planeOf(5), gpuInput], H, W);
  t.equal((feed as { location?: string }).location, 'cuda');
  t.same(feed.dims, [2, 3, H, W]);
  t.equal(cuda.counts.hostCopies, 0);
  t.equal(cuda.counts.fills, 1, 'one device job for the batch');
});

t.test('a batch of host inputs (the CPU path) never touches the CUDA addon', async (t) => {
  const cuda = fakeCudaAddon();
  let loads = 0;
  const { BatchFeeder } = t.mockRequire('../../lib/pipeline/batchFeed', {
    '../../lib/native': { ...actualNative, loadCudaAddon: () => { loads += 1; return cuda.addon; } },
  }) as typeof import('../../lib/pipeline/batchFeed');
  const feeder = new BatchFeeder({ acceptsDeviceInput: true });
  const feed = await feeder.feed([planeOf(1), planeOf(2)], H, W) as TensorData;
  t.same(feed.dims, [2, 3, H, W]);
  t.equal(feed.data[3 * H * W + 5], planeOf(2)[5], 'slot 1 channel 0 = image 2 (imgprocBatchTensor on the CPU)');
  t.equal(loads, 0, 'the CUDA addon is not loaded');
  t.equal(cuda.counts.fills, 0);
});
