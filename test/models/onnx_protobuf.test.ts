/**
 * Our ONNX protobuf writer (lib/models/onnx/protobuf.ts) against an independent implementation:
 * onnx-proto (protobufjs, generated from onnx.proto; a devDependency kept for this test only) decodes
 * what we wrote to the same fields and re-encodes it to the same bytes; ONNX Runtime loads and runs the
 * model and gives the values computed here by hand. (The model tests load every converted checkpoint.)
 */
import t from 'tap';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { onnx } from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { OnnxGraph, float } from '../../lib/models/onnx/graph';

/** x [1,2,'n'] → Transpose(perm INTS) → LeakyRelu(alpha FLOAT) → Concat(axis INT −1) with an initializer → Reshape(int64 shape) → Pad(mode STRING). */
function buildModel(): Uint8Array {
  const g = new OnnxGraph('writer_check');
  const x = g.input('x', [1, 2, 'n']);
  const tr = g.op('Transpose', [x], { perm: [0, 2, 1] }, 'block.transpose');
  const lr = g.op('LeakyRelu', [tr], { alpha: float(0.25) });
  const w = g.initializer('block.weight', [1, 2, 1], Float32Array.from([10, -20]));
  const cat = g.op('Concat', [lr, w], { axis: -1 }, 'block.concat');
  const flat = g.op('Reshape', [cat, g.int64([1, -1])]);
  const padded = g.op('Pad', [flat, g.int64([0, 1, 0, 0])], { mode: 'constant' });
  g.output(padded, 'y', [1, 'm']);
  return g.encode('doc ✓');
}

t.test('onnx-proto decodes our bytes to the same fields and re-encodes them byte for byte', async (t) => {
  const bytes = buildModel();
  const model = onnx.ModelProto.decode(bytes);
  t.equal(Number(model.irVersion), 8);
  t.equal(model.producerName, 'rsna-mammo');
  t.equal(model.docString, 'doc ✓');
  t.same(model.opsetImport.map((o) => [o.domain, Number(o.version)]), [['', 17]]);
  const g = model.graph!;
  t.same(g.node.map((n) => n.opType), ['Transpose', 'LeakyRelu', 'Concat', 'Reshape', 'Pad', 'Identity'], 'the output renamed through Identity');
  t.same(g.node[0].attribute[0].ints.map(Number), [0, 2, 1]);
  t.equal(g.node[0].attribute[0].type, onnx.AttributeProto.AttributeType.INTS);
  t.equal(g.node[1].attribute[0].f, 0.25);
  t.equal(Number(g.node[2].attribute[0].i), -1, 'negative int64 attribute');
  t.equal(Buffer.from(g.node[4].attribute[0].s).toString(), 'constant');
  const dims = g.input[0].type!.tensorType!.shape!.dim;
  t.same(dims.map((d) => (d.dimParam ? d.dimParam : Number(d.dimValue))), [1, 2, 'n']);
  const w = g.initializer.find((i) => i.name === 'block.weight')!;
  t.same(w.dims.map(Number), [1, 2, 1]);
  t.same(Array.from(new Float32Array(new Uint8Array(w.rawData).buffer)), [10, -20]);
  const again = onnx.ModelProto.encode(model).finish();
  t.equal(Buffer.compare(Buffer.from(again), Buffer.from(bytes)), 0, `${bytes.length} bytes identical`);
});

t.test('ONNX Runtime runs the model: the values worked out by hand', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-onnx-writer-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'm.onnx');
  fs.writeFileSync(file, buildModel());
  const session = await ort.InferenceSession.create(file);
  // x = [[[1, -4], [2, 8]]] (1×2×2) → transpose [[1, 2], [-4, 8]] → leaky 0.25 [[1, 2], [-1, 8]]
  // → concat w [[10], [-20]] on the last axis [[1, 2, 10], [-1, 8, -20]] → reshape [1, 6] → one 0 in front.
  const x = new ort.Tensor('float32', Float32Array.from([1, -4, 2, 8]), [1, 2, 2]);
  const out = await session.run({ x });
  t.same(Array.from(out.y.data as Float32Array), [0, 1, 2, 10, -1, 8, -20]);
  t.same(out.y.dims, [1, 7]);
});
