'use strict';
// Finds libtorch's CMake package for the native builds that link it (scripts/build-train.js: the
// trainer; scripts/build-torch.js: the libtorch inference addon). Looked up in $Torch_DIR,
// $LIBTORCH(/share/cmake/Torch), the usual install folders, the Debian libtorch-dev folder and
// Python's torch package (the CUDA libtorch of a PyTorch install).
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

function hasTorchConfig(dir) {
  return !!dir && (fs.existsSync(path.join(dir, 'TorchConfig.cmake')) || fs.existsSync(path.join(dir, 'torch-config.cmake')));
}

function pythonTorchPrefix() {
  const r = spawnSync('python3', ['-c', 'import torch.utils; print(torch.utils.cmake_prefix_path)'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** The folder holding TorchConfig.cmake, or null. */
function findTorchDir(env = process.env) {
  const candidates = [env.Torch_DIR];
  for (const r of [env.LIBTORCH, env.LIBTORCH_PATH]) if (r) candidates.push(path.join(r, 'share/cmake/Torch'));
  candidates.push('/usr/local/libtorch/share/cmake/Torch', '/opt/libtorch/share/cmake/Torch',
    '/usr/lib/x86_64-linux-gnu/cmake/Torch', '/usr/lib/aarch64-linux-gnu/cmake/Torch', '/usr/lib64/cmake/Torch');
  const found = candidates.find(hasTorchConfig);
  if (found) return found;
  const prefix = pythonTorchPrefix();
  return prefix && hasTorchConfig(path.join(prefix, 'Torch')) ? path.join(prefix, 'Torch') : null;
}

/** Whether cmake runs. */
function hasCmake() {
  return spawnSync('cmake', ['--version'], { stdio: 'ignore' }).status === 0;
}

module.exports = { findTorchDir, hasCmake };
