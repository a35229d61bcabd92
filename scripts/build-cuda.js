#!/usr/bin/env node
'use strict';
// Builds the optional CUDA addon (CMakeLists.txt, cmake-js) when a CUDA toolkit is found.
// `npm install` must never fail because of it: without nvcc it prints one line and exits 0.
// --force (npm run build:cuda) makes a missing toolkit or a failed build an error instead.
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const force = process.argv.includes('--force');

function findNvcc() {
  const candidates = [process.env.CUDACXX, process.env.CUDA_PATH && path.join(process.env.CUDA_PATH, 'bin', 'nvcc'),
    '/usr/local/cuda/bin/nvcc'];
  for (const dir of (process.env.PATH || '').split(path.delimiter)) candidates.push(path.join(dir, 'nvcc'));
  return candidates.find((c) => c && fs.existsSync(c));
}

function done(message, failed) {
  console.log(`rsna-mammo: CUDA addon ${message}`);
  process.exit(failed && force ? 1 : 0);
}

if (process.env.RSNA_MAMMO_SKIP_CUDA === '1') done('skipped (RSNA_MAMMO_SKIP_CUDA=1)', false);
const nvcc = findNvcc();
if (!nvcc) done('skipped: no CUDA toolkit (nvcc) found; the CPU path is complete without it', true);
const hasCudaTarget = fs.readFileSync(path.join(root, 'CMakeLists.txt'), 'utf8').includes('rsna_mammo_cuda');
if (!hasCudaTarget) done('skipped: CMakeLists.txt has no CUDA target yet', false);

const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
const args = [cmakeJs, 'compile', '--out', 'build-cuda', '--CDCMAKE_CUDA_COMPILER=' + nvcc];
if (process.env.RSNA_MAMMO_CUDA_ARCHS) args.push(`--CDRSNA_CUDA_ARCHS=${process.env.RSNA_MAMMO_CUDA_ARCHS}`);
// TensorRT headers (only headers: the library is dlopen'ed at run time); without them the TensorRT
// engine builder/runtime is skipped visibly by CMake.
if (process.env.TENSORRT_INCLUDE_DIR) args.push(`--CDTENSORRT_INCLUDE_DIR=${process.env.TENSORRT_INCLUDE_DIR}`);
// cmake-js would download Node's headers; use the local ones (npm's nodedir, or a system Node's /usr).
const env = { ...process.env };
if (!env.npm_config_nodedir) {
  const guess = path.resolve(path.dirname(process.execPath), '..');
  if (fs.existsSync(path.join(guess, 'include', 'node', 'node_api.h'))) env.npm_config_nodedir = guess;
}
const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env });
if (result.status !== 0) done(`build failed (exit ${result.status}); the CPU path still works`, true);
done('built: build-cuda/Release/rsna_mammo_cuda.node', false);
