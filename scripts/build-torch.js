#!/usr/bin/env node
'use strict';
// Builds the libtorch inference addon `build-torch/rsna_mammo_torch.node` (native/infer_torch: the
// `libtorch` backend) when cmake and libtorch are found (scripts/find-torch.js); with a CUDA libtorch
// (PyTorch's) its CUDA paths are compiled in. `npm install` must never fail because of it: without
// them it prints one line and exits 0. --force (npm run build:torch) makes absence or failure an
// error. RSNA_MAMMO_TORCH_JOBS (else RSNA_MAMMO_TRAIN_JOBS) caps the parallel compile jobs;
// --out DIR builds elsewhere (tools/device-check builds against the GPU machine's PyTorch).
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { findTorchDir, hasCmake } = require('./find-torch');

const root = path.join(__dirname, '..');
const force = process.argv.includes('--force');
const outIndex = process.argv.indexOf('--out');
const buildDir = outIndex > 0 ? path.resolve(process.argv[outIndex + 1]) : path.join(root, 'build-torch');

function done(message, failed) {
  console.log(`rsna-mammo: libtorch backend ${message}`);
  process.exit(failed && force ? 1 : 0);
}

function run(cmd, args) {
  return spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
}

if (process.env.RSNA_MAMMO_SKIP_TORCH === '1') done('skipped (RSNA_MAMMO_SKIP_TORCH=1)', false);
if (!hasCmake()) done('skipped: cmake not found; the libtorch backend needs cmake, a C++17 compiler and libtorch (ONNX Runtime works without it)', true);
const torchDir = findTorchDir();
if (!torchDir) done('skipped: libtorch not found (set Torch_DIR or LIBTORCH, install PyTorch, or apt install libtorch-dev); ONNX Runtime works without it', true);
// Node's headers: npm's nodedir, else the running Node's include/node (no download).
const nodeDir = process.env.npm_config_nodedir || path.resolve(path.dirname(process.execPath), '..');
const nodeInclude = path.join(nodeDir, 'include', 'node');
if (!fs.existsSync(path.join(nodeInclude, 'node_api.h'))) done(`skipped: Node headers not found in ${nodeInclude} (set npm_config_nodedir)`, true);
const jobs = Number(process.env.RSNA_MAMMO_TORCH_JOBS || process.env.RSNA_MAMMO_TRAIN_JOBS) || os.cpus().length;
const configure = ['-S', path.join(root, 'native/infer_torch'), '-B', buildDir, `-DTorch_DIR=${torchDir}`,
  `-DNODE_INCLUDE_DIR=${nodeInclude}`, `-DCMAKE_BUILD_TYPE=${process.env.RSNA_MAMMO_TORCH_BUILD_TYPE || 'Release'}`];
if (!force) console.log(`rsna-mammo: building the libtorch backend with libtorch from ${torchDir} (${jobs} jobs)`);
let r = run('cmake', configure);
if (r.status !== 0) done(`configure failed (exit ${r.status}); ONNX Runtime still works`, true);
r = run('cmake', ['--build', buildDir, '-j', String(jobs)]);
if (r.status !== 0) done(`build failed (exit ${r.status}); ONNX Runtime still works`, true);
done(`built: ${path.relative(root, path.join(buildDir, 'rsna_mammo_torch.node'))}`, false);
