#!/usr/bin/env node
'use strict';
// Lists the C++ sources of the CPU addon for binding.gyp: every native/**/*.cc except the CUDA-only
// glue, the TensorRT unit, the libtorch trainers and the libtorch inference addon (built by CMake).
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const excluded = new Set(['native/trt', 'native/train', 'native/infer_torch', 'native/cuda_addon', 'native/tests']);

function walk(dir, out) {
  for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (!excluded.has(rel)) walk(rel, out);
    } else if (entry.name.endsWith('.cc')) {
      out.push(rel);
    }
  }
  return out;
}

process.stdout.write(walk('native', []).sort().join(' '));
