// TensorRT backend logic that needs no GPU: ONNX input reading, optimization profile shapes
// (ALGORITHMS.md §4.5: min (1,3,2048,1024), opt = max = (2,3,2048,1024)), batch splitting, engine
// cache keys and staleness, backend selection and fallback.
import t from 'tap';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { onnxInputsFromBuffer, readOnnxInputs } from '../../lib/runtime/onnxInputs';
import { profileShapes, splitBatch } from '../../lib/runtime/profileShapes';
import { engineCacheKey, engineCachePath, engineIsCurrent, EngineKeyInputs, sha256File, sidecarPath } from '../../lib/runtime/engineCache';
import { selectBackend } from '../../lib/runtime/selectBackend';

// Minimal protobuf encoder (wire format per developers.google.com/protocol-buffers/docs/encoding).
function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 128) { out.push((n % 128) | 128); n = Math.floor(n / 128); }
  out.push(n);
  return out;
}
const vfield = (num: number, v: number) => Buffer.from([...varint(num * 8), ...varint(v)]);
const lfield = (num: number, payload: Buffer | string) => {
  const b = typeof payload === 'string' ? Buffer.from(payload) : payload;
  return Buffer.concat([Buffer.from([...varint(num * 8 + 2), ...varint(b.length)]), b]);
};
function valueInfo(name: string, dims: (number | string)[]): Buffer {
  const shape = Buffer.concat(dims.map((d) => lfield(1, typeof d === 'number' ? vfield(1, d) : lfield(2, d))));
  const tensorType = Buffer.concat([vfield(1, 1), lfield(2, shape)]);
  return Buffer.concat([lfield(1, name), lfield(2, lfield(1, tensorType))]);
}
// ModelProto { ir_version 8, producer, graph { node…, initializer "w" (with raw_data), input images + w, output } }
function tinyModel(): Buffer {
  const initializer = Buffer.concat([vfield(1, 4), vfield(2, 1), lfield(8, 'w'), lfield(9, Buffer.alloc(16, 7))]);
  const graph = Buffer.concat([
    lfield(1, Buffer.from('node-bytes')), lfield(2, 'g'), lfield(5, initializer),
    lfield(11, valueInfo('images', ['batch', 3, 2048, 1024])), lfield(11, valueInfo('w', [4])),
    lfield(12, valueInfo('probs', ['batch', 4])),
  ]);
  return Buffer.concat([vfield(1, 8), lfield(2, 'rsna-mammo-test'), lfield(7, graph)]);
}

t.test('ONNX graph inputs: names, symbolic/static dims, initializers dropped', async (t) => {
  const inputs = onnxInputsFromBuffer(tinyModel());
  t.same(inputs, [{ name: 'images', elemType: 1, dims: ['batch', 3, 2048, 1024] }]);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-onnx-'));
  const file = path.join(dir, 'tiny.onnx');
  fs.writeFileSync(file, tinyModel());
  t.same(readOnnxInputs(file), inputs, 'file reader equals buffer reader');
  fs.writeFileSync(path.join(dir, 'bad.onnx'), Buffer.from([0x0a, 0xff]));
  t.throws(() => readOnnxInputs(path.join(dir, 'bad.onnx')), { code: 'ERR_ONNX_READ', message: /bad\.onnx: cannot read the ONNX inputs/ });
});

t.test('profile shapes: batch 1..N with opt = max, as the original ensemble engine (§4.5)', async (t) => {
  const inputs = [{ name: 'images', elemType: 1, dims: ['batch', 3, 2048, 1024] as (number | string)[] }];
  t.same(profileShapes(inputs, 2), { images: { min: [1, 3, 2048, 1024], opt: [2, 3, 2048, 1024], max: [2, 3, 2048, 1024] } });
  t.same(profileShapes(inputs, 8, { optBatch: 4 }).images.opt, [4, 3, 2048, 1024]);
  // YOLOX (§4.6) exported with a static batch of 1: exactly that shape.
  t.same(profileShapes([{ name: 'x', elemType: 1, dims: [1, 3, 416, 416] }], 1), { x: { min: [1, 3, 416, 416], opt: [1, 3, 416, 416], max: [1, 3, 416, 416] } });
  t.throws(() => profileShapes([{ name: 'x', elemType: 1, dims: ['b', 3, 'h', 'w'] }], 2), { code: 'ERR_TRT_SHAPE', message: /dimension 2 is dynamic \(h\)/ });
  t.same(profileShapes([{ name: 'x', elemType: 1, dims: ['b', 3, 'h', 'w'] }], 2, { fixed: { x: [1, 3, 416, 416] } }).x.max, [2, 3, 416, 416]);
  t.throws(() => profileShapes(inputs, 0), { code: 'ERR_TRT_SHAPE' });
  t.throws(() => profileShapes(inputs, 2, { optBatch: 3 }), { code: 'ERR_TRT_SHAPE' });
});

t.test('batches larger than the profile are split into engine runs', async (t) => {
  t.same(splitBatch(5, 2), [2, 2, 1]);
  t.same(splitBatch(2, 2), [2]);
  t.same(splitBatch(0, 2), []);
  t.throws(() => splitBatch(3, 0), { code: 'ERR_TRT_SHAPE' });
});

const key: EngineKeyInputs = {
  onnxSha256: 'ab'.repeat(32), gpuName: 'NVIDIA A100-SXM4-80GB', computeCapability: '8.0',
  tensorrtVersion: '10.16.1', fp16: false, tf32: false, maxBatch: 2,
};

t.test('engine cache keys: readable, and every input changes the key', async (t) => {
  const k = engineCacheKey(key);
  t.match(k, /^a100-sxm4-80gb-sm80-trt10\.16\.1-fp32-b2-[0-9a-f]{12}$/);
  t.equal(engineCacheKey({ ...key }), k, 'deterministic');
  const variants: Partial<EngineKeyInputs>[] = [
    { onnxSha256: 'cd'.repeat(32) }, { gpuName: 'NVIDIA H100 80GB HBM3' }, { computeCapability: '9.0' },
    { tensorrtVersion: '10.3.0' }, { fp16: true }, { tf32: true }, { maxBatch: 4 },
  ];
  const keys = new Set(variants.map((v) => engineCacheKey({ ...key, ...v })));
  t.equal(keys.size, variants.length);
  t.notOk(keys.has(k));
  t.match(engineCacheKey({ ...key, fp16: true }), /-fp16-/);
  t.equal(engineCachePath('/m/ensemble.onnx', k), `/m/ensemble.${k}.engine`);
  t.equal(engineCachePath('/m/ensemble.onnx', k, '/cache'), `/cache/ensemble.${k}.engine`);
});

t.test('a stale engine (other GPU / TensorRT / options) is rebuilt, not misused', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-engine-'));
  const engine = path.join(dir, 'm.engine');
  t.match(engineIsCurrent(engine, key), { current: false, reason: 'no engine built yet' });
  fs.writeFileSync(engine, 'plan');
  t.match(engineIsCurrent(engine, key), { current: false, reason: /no readable sidecar/ });
  fs.writeFileSync(sidecarPath(engine), JSON.stringify(key));
  t.same(engineIsCurrent(engine, key), { current: true });
  t.match(engineIsCurrent(engine, { ...key, tensorrtVersion: '10.17.0' }), { current: false, reason: 'tensorrtVersion changed (10.16.1 → 10.17.0)' });
  t.match(engineIsCurrent(engine, { ...key, gpuName: 'NVIDIA H100' }), { current: false, reason: /gpuName changed/ });
  fs.writeFileSync(path.join(dir, 'abc.txt'), 'abc');
  t.equal(await sha256File(path.join(dir, 'abc.txt')), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', 'FIPS 180-2 "abc" vector');
});

t.test('backend selection: auto prefers TensorRT, falls back to ONNX Runtime with one line why', async (t) => {
  const yes = { available: true };
  const noTrt = { available: false, reason: 'TensorRT not found: libnvinfer.so.10 could not be loaded' };
  const noOrt = { available: false, reason: 'onnxruntime-node is not installed' };
  t.same(selectBackend('auto', { tensorrt: yes, onnxruntime: yes }), { backend: 'tensorrt' });
  t.same(selectBackend('auto', { tensorrt: noTrt, onnxruntime: yes }),
    { backend: 'onnxruntime', note: 'TensorRT not used (TensorRT not found: libnvinfer.so.10 could not be loaded); using ONNX Runtime' });
  t.same(selectBackend('onnxruntime', { tensorrt: yes, onnxruntime: yes }), { backend: 'onnxruntime' });
  t.throws(() => selectBackend('tensorrt', { tensorrt: noTrt, onnxruntime: yes }), { code: 'ERR_BACKEND_UNAVAILABLE', message: /backend tensorrt is not available: TensorRT not found/ });
  t.throws(() => selectBackend('auto', { tensorrt: noTrt, onnxruntime: noOrt }), { code: 'ERR_BACKEND_UNAVAILABLE', message: /no inference backend/ });
  t.throws(() => selectBackend('cuda' as never, { tensorrt: yes, onnxruntime: yes }), { code: 'ERR_INVALID_ARGUMENT' });
});
