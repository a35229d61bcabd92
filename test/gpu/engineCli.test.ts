// `rsna-mammo engine build` argument handling and its failure without a GPU/TensorRT (one line naming
// the problem, non-zero exit). Building a real engine needs TensorRT: not possible here.
import t from 'tap';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { runCli } from '../helpers/cli';
import { cudaAddonStatus } from '../../lib/native';
import { parseBatch } from '../../lib/cli/engineFlag';

const cli = runCli;

t.test('engine build: arguments are checked before any GPU work', async (t) => {
  const missing = await cli(['engine', 'build', '/no/such/model.onnx']);
  t.equal(missing.code, 1);
  t.match(missing.err, /\/no\/such\/model\.onnx: no such file \[ERR_FILE_NOT_FOUND\]/);
  const none = await cli(['engine', 'build']);
  t.match(none.err, /exactly one <model\.onnx>/);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-engine-cli-'));
  const onnx = path.join(dir, 'm.onnx');
  fs.writeFileSync(onnx, 'x');
  const badBatch = await cli(['engine', 'build', onnx, '--batch', '0']);
  t.match(badBatch.err, /Expected an integer between 1 and 64 for --batch but received "0"/);
  t.equal(parseBatch(undefined), 2, 'default batch 2 (ALGORITHMS.md §4.5)');
  t.equal(parseBatch('4'), 4);
});

t.test('engine build without a usable GPU: one line with the reason', { skip: cudaAddonStatus().usable ? 'a GPU is usable here' : false }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-engine-cli-'));
  const onnx = path.join(dir, 'm.onnx');
  fs.writeFileSync(onnx, 'x');
  const r = await cli(['engine', 'build', onnx]);
  t.equal(r.code, 1);
  t.match(r.err, /^rsna-mammo engine build: the GPU path is not available: .+ \[ERR_CUDA_UNAVAILABLE\]\n$/);
});
