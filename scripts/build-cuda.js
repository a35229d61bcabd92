#!/usr/bin/env node
'use strict';
// Builds the optional CUDA addon from source (CMakeLists.txt, cmake-js) when a CUDA toolkit is found.
// Called by scripts/install.js only when no prebuilt CUDA addon loads (or RSNA_MAMMO_BUILD_CUDA=1,
// passed as --requested); the install never fails because of it: whatever is missing (nvcc, cmake-js,
// which is a devDependency and so absent in a consumer's install) is said in one line, exit 0.
// --force (`npm run build:cuda` in the repo, scripts/prebuild.js) makes those an error instead.
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const force = process.argv.includes('--force');
const requested = force || process.argv.includes('--requested');

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
if (!nvcc) done('skipped: no CUDA toolkit (nvcc) found; the CPU path is complete without it (docs/GPU.md)', true);
const hasCudaTarget = fs.readFileSync(path.join(root, 'CMakeLists.txt'), 'utf8').includes('rsna_mammo_cuda');
if (!hasCudaTarget) done('skipped: CMakeLists.txt has no CUDA target yet', false);

let cmakeJs;
try {
  cmakeJs = require.resolve('cmake-js/bin/cmake-js', { paths: [root, process.cwd()] });
} catch {
  done(requested
    ? 'not built: cmake-js is not installed (`npm install --no-save cmake-js`, then `RSNA_MAMMO_BUILD_CUDA=1 npm rebuild rsna-mammo`)'
    : 'not built from source (no prebuilt CUDA addon fits; to build it: `npm install --no-save cmake-js`, then `RSNA_MAMMO_BUILD_CUDA=1 npm rebuild rsna-mammo`)', true);
}
// --out DIR: another build folder (scripts/prebuild.js builds in a fresh one, so a cached CMake
// configuration of another toolkit can never be packaged under the wrong name).
const outIndex = process.argv.indexOf('--out');
const outDir = outIndex > 0 ? process.argv[outIndex + 1] : 'build-cuda';
const args = [cmakeJs, 'compile', '--out', outDir, '--CDCMAKE_CUDA_COMPILER=' + nvcc];
// Debian's nvidia-cuda-toolkit keeps nvcc in /usr/lib/nvidia-cuda-toolkit/bin but the headers in
// /usr/include, where CMake's FindCUDAToolkit does not look from nvcc's folder.
if (!fs.existsSync(path.join(path.dirname(nvcc), '..', 'include', 'cuda_runtime.h')) && fs.existsSync('/usr/include/cuda_runtime.h')) {
  args.push('--CDCUDAToolkit_INCLUDE_DIR=/usr/include');
}
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
done(`built: ${outDir}/Release/rsna_mammo_cuda.node`, false);
