#!/usr/bin/env node
'use strict';
// The package's install script (`npm install` runs it in the installed package, `npm ci` in the repo).
// 1. CPU addon (required): a binary that loads is kept — the prebuilt one in prebuilds/linux-x64/ or
//    an earlier build/Release — and nothing is compiled. Only when none loads (another platform, a
//    newer glibc missing, ...) or RSNA_MAMMO_BUILD_FROM_SOURCE=1 does node-gyp compile it; if that
//    fails the install fails with what is needed (python3, make, a C++17 compiler).
// 2. Optional parts (CUDA addon, libtorch trainers, libtorch inference backend): never fail the
//    install. Each prints one line: used, or skipped and how to get it.
// Switches (README "Install"): RSNA_MAMMO_BUILD_FROM_SOURCE=1, RSNA_MAMMO_SKIP_CUDA=1,
// RSNA_MAMMO_BUILD_CUDA=1, RSNA_MAMMO_BUILD_TRAIN=1, RSNA_MAMMO_BUILD_TORCH=1. Every line starts with "rsna-mammo:" so the install log shows what ran.
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { cudaPrebuildPath, describeCudaBuild } = require('./prebuilt-info');

const root = path.join(__dirname, '..');
const say = (line) => console.log(`rsna-mammo: ${line}`);

/** Loads `code` in a child process (a broken binary must not take the install down); the result or the last error line. */
function inChild(code, args = []) {
  const r = spawnSync(process.execPath, ['-e', code, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' }, timeout: 60000 });
  if (r.status === 0) return { ok: true, out: r.stdout.trim() };
  // Node prints the throwing source line first; the message is the "…Error: …" line.
  const lines = `${r.stderr || ''}`.trim().split('\n');
  const message = lines.find((l) => /^\w*Error: /.test(l)) ?? lines.find((l) => /error/i.test(l));
  return { ok: false, reason: (message || r.stderr || `exit ${r.status}`).trim().slice(0, 300) };
}

const PROBE_CPU = `
const p = require.resolve('node-gyp-build'); const load = require(p);
const file = load.resolve ? load.resolve(process.cwd()) : '';
const a = load(process.cwd()); const c = a.buildInfo().codecs;
console.log(JSON.stringify({ file: require('path').relative(process.cwd(), file), codecs: Object.keys(c).filter((k) => c[k]) }));`;

function probeCpu() {
  const r = inChild(PROBE_CPU);
  if (!r.ok) return r;
  try {
    return { ok: true, ...JSON.parse(r.out.split('\n').pop()) };
  } catch {
    return { ok: false, reason: `unreadable probe output: ${r.out.slice(0, 200)}` };
  }
}

function nodeGyp() {
  // npm hands its bundled node-gyp to install scripts; a repo checkout may also have its own.
  if (process.env.npm_config_node_gyp) return [process.execPath, process.env.npm_config_node_gyp];
  try {
    return [process.execPath, require.resolve('node-gyp/bin/node-gyp.js')];
  } catch {
    return ['node-gyp'];
  }
}

function cpuAddon() {
  const fromSource = process.env.RSNA_MAMMO_BUILD_FROM_SOURCE === '1';
  if (!fromSource) {
    const probe = probeCpu();
    if (probe.ok) {
      const kind = probe.file.startsWith('prebuilds') ? 'prebuilt' : 'built earlier';
      say(`CPU addon: ${kind} ${probe.file} loads (native codecs: ${probe.codecs.join(', ') || 'none, WASM fallback'}); nothing compiled`);
      return;
    }
    say(`CPU addon: no binary for ${process.platform}-${process.arch} loads (${probe.reason}); building from source`);
  } else {
    say('CPU addon: building from source (RSNA_MAMMO_BUILD_FROM_SOURCE=1)');
  }
  const [cmd, ...args] = nodeGyp();
  const r = spawnSync(cmd, [...args, 'rebuild'], { cwd: root, stdio: 'inherit' });
  const after = r.status === 0 ? probeCpu() : { ok: false, reason: `node-gyp exit ${r.status}` };
  if (!after.ok) {
    console.error('rsna-mammo: CPU addon: the source build failed. It needs python3, make, a C++17 compiler and ' +
      'Node headers (Debian: apt-get install python3 make g++). Prebuilt binaries ship for linux-x64 with glibc >= 2.34 only.');
    process.exit(1);
  }
  say(`CPU addon: built from source ${after.file} (native codecs: ${after.codecs.join(', ') || 'none, WASM fallback'})`);
}

function cudaAddon() {
  if (process.env.RSNA_MAMMO_SKIP_CUDA === '1') return say('CUDA addon: skipped (RSNA_MAMMO_SKIP_CUDA=1); the CPU path is complete without it');
  const wantBuild = process.env.RSNA_MAMMO_BUILD_CUDA === '1';
  const prebuilt = cudaPrebuildPath(root);
  if (prebuilt && !wantBuild) {
    // Static cudart: the binary loads without a GPU or driver; the driver is checked at run time.
    const r = inChild('require(process.argv[1])', [prebuilt]);
    if (r.ok) return say(`CUDA addon: prebuilt ${path.relative(root, prebuilt)} loads (${describeCudaBuild(root)}); nothing compiled`);
    say(`CUDA addon: prebuilt does not load here (${r.reason})`);
  }
  // A source build needs cmake-js, which only a repo checkout (devDependencies) or an explicit
  // request brings; build-cuda.js says in one line what it skipped.
  const r = spawnSync(process.execPath, [path.join(__dirname, 'build-cuda.js'), ...(wantBuild ? ['--requested'] : [])], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) say('CUDA addon: not built; the CPU path is complete without it');
}

/**
 * A libtorch part with no prebuilt (compiling takes minutes and a compiler): an installed package
 * builds it only when asked (`ask`=1); a repository checkout (a .git here) builds it when libtorch is
 * found. Never fails the install.
 */
function libtorchPart(script, what, ask, howTo, needs) {
  const file = path.join(__dirname, script);
  if (!fs.existsSync(file)) return;
  if (!fs.existsSync(path.join(root, '.git')) && process.env[ask] !== '1') {
    say(`${what}: not built (${howTo}: ${ask}=1 npm rebuild rsna-mammo, with ${needs})`);
    return;
  }
  const r = spawnSync(process.execPath, [file], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) say(`${what}: ${script} failed (exit ${r.status}); skipped, inference works without it`);
}

function optionalParts() {
  libtorchPart('build-train.js', 'trainer', 'RSNA_MAMMO_BUILD_TRAIN', 'only training needs it; to build it',
    'cmake, a C++17 compiler, libtorch and OpenCV dev files');
  libtorchPart('build-torch.js', 'libtorch backend', 'RSNA_MAMMO_BUILD_TORCH', 'GPU inference without TensorRT uses it; to build it',
    'cmake, a C++17 compiler and libtorch (a PyTorch install has it)');
}

cpuAddon();
try {
  cudaAddon();
  optionalParts();
} catch (err) {
  say(`optional parts skipped: ${err.message}`);
}
