'use strict';
// Where the prebuilt CUDA addon lives and what it was built for (prebuilds/linux-x64-cuda/build.json,
// written by scripts/prebuild.js). Used by the install script and the release check.
const fs = require('fs');
const path = require('path');

const CUDA_DIR = `${process.platform}-${process.arch}-cuda`;

function cudaPrebuildPath(root) {
  const file = path.join(root, 'prebuilds', CUDA_DIR, 'rsna_mammo_cuda.node');
  return fs.existsSync(file) ? file : undefined;
}

function cudaBuildInfo(root) {
  try {
    return JSON.parse(fs.readFileSync(path.join(root, 'prebuilds', CUDA_DIR, 'build.json'), 'utf8'));
  } catch {
    return undefined;
  }
}

function describeCudaBuild(root) {
  const info = cudaBuildInfo(root);
  if (!info) return 'no build.json';
  return `CUDA ${info.cudaVersion}, ${info.cudaArchitectures}; needs an NVIDIA driver >= ${info.minDriver || '?'}`;
}

module.exports = { CUDA_DIR, cudaPrebuildPath, cudaBuildInfo, describeCudaBuild };
