#!/usr/bin/env node
'use strict';
// Builds the native trainer `build-train/rsna-mammo-train` (native/train/CMakeLists.txt: libtorch +
// OpenCV) when cmake and libtorch are found. `npm install` must never fail because of it: without them
// it prints one line and exits 0. --force (npm run build:train) makes absence or failure an error.
// Torch is found by scripts/find-torch.js; RSNA_MAMMO_TRAIN_JOBS caps the parallel compile jobs.
const { spawnSync } = require('child_process');
const os = require('os');
const path = require('path');
const { findTorchDir, hasCmake } = require('./find-torch');

const root = path.join(__dirname, '..');
const force = process.argv.includes('--force');
const buildDir = path.join(root, 'build-train');

function done(message, failed) {
  console.log(`rsna-mammo: trainer ${message}`);
  process.exit(failed && force ? 1 : 0);
}

function run(cmd, args) {
  return spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
}

if (process.env.RSNA_MAMMO_SKIP_TRAIN === '1') done('skipped (RSNA_MAMMO_SKIP_TRAIN=1)', false);
if (!hasCmake()) {
  done('skipped: cmake not found; training needs cmake, libtorch and OpenCV (inference is complete without them)', true);
}
const torchDir = findTorchDir();
if (!torchDir) {
  done('skipped: libtorch not found (set Torch_DIR or LIBTORCH, or apt install libtorch-dev); inference is complete without it', true);
}
const jobs = Number(process.env.RSNA_MAMMO_TRAIN_JOBS) || os.cpus().length;
const configure = ['-S', path.join(root, 'native/train'), '-B', buildDir, `-DTorch_DIR=${torchDir}`,
  `-DCMAKE_BUILD_TYPE=${process.env.RSNA_MAMMO_TRAIN_BUILD_TYPE || 'Release'}`];
if (!force) console.log(`rsna-mammo: building the trainer with libtorch from ${torchDir} (${jobs} jobs)`);
let r = run('cmake', configure);
if (r.status !== 0) done(`configure failed (exit ${r.status}; OpenCV dev files missing?); inference still works`, true);
r = run('cmake', ['--build', buildDir, '-j', String(jobs)]);
if (r.status !== 0) done(`build failed (exit ${r.status}); inference still works`, true);
done('built: build-train/rsna-mammo-train', false);
