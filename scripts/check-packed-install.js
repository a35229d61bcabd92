#!/usr/bin/env node
'use strict';
// The package as users receive it (issue 16): prebuild (CPU, from build/Release) → release check →
// `npm pack` → install the tarball into clean temporary projects with no compiler (CC/CXX=/bin/false
// and recording shims for gcc/g++/c++/cc/make/cmake/nvcc first on PATH, so nvcc is "on PATH" as on a
// GPU box) and ONNXRUNTIME_NODE_INSTALL=skip, `--offline` when npm's cache has every package
// (CI after `npm ci`; else --prefer-offline, said in the log); then require('rsna-mammo'),
// `rsna-mammo doctor --json`, `rsna-mammo demo` and a native decode of an RSNA JPEG 2000 file from
// ../shared/data/dicom (skipped visibly when absent). Once with install scripts, once with
// --ignore-scripts: both must load the prebuilt (node-gyp-build finds prebuilds/ without any script).
// Run by .ci/run (too slow for the tap suite). Exit 0 only when every check passed.
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.join(__dirname, '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-packed-'));
let failures = 0;
const say = (line) => console.log(`packed-install: ${line}`);
function check(ok, what, detail = '') {
  say(`${ok ? 'ok  ' : 'FAIL'} ${what}${detail ? ` — ${detail}` : ''}`);
  if (!ok) failures += 1;
  return ok;
}
function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 << 20, ...opts });
  return { status: r.status, out: `${r.stdout || ''}${r.stderr || ''}`, stdout: r.stdout || '' };
}

// Shims that record every compiler/build-tool call: after the install their log must be empty.
const shims = path.join(work, 'shims');
const called = path.join(work, 'compiler-calls.log');
fs.mkdirSync(shims);
fs.writeFileSync(called, '');
for (const tool of ['gcc', 'g++', 'cc', 'c++', 'make', 'cmake', 'nvcc']) {
  fs.writeFileSync(path.join(shims, tool), `#!/bin/sh\necho "${tool} $*" >> "${called}"\nexit 1\n`, { mode: 0o755 });
}
const consumerEnv = {
  ...process.env,
  PATH: `${shims}:${process.env.PATH}`,
  CC: '/bin/false', CXX: '/bin/false',
  ONNXRUNTIME_NODE_INSTALL: 'skip',
  npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false',
};
for (const k of Object.keys(consumerEnv)) if (/^(npm_(lifecycle|package)_|INIT_CWD$|RSNA_MAMMO_CPU_ADDON$|RSNA_MAMMO_CUDA_ADDON$)/.test(k)) delete consumerEnv[k];

// 1. Prebuild (CPU: reuse build/Release, which `npm ci` just compiled) and the release check, which packs.
if (!fs.existsSync(path.join(root, 'prebuilds', 'linux-x64', 'build.json')) || process.argv.includes('--prebuild')) {
  const pre = sh(process.execPath, [path.join(__dirname, 'prebuild.js'), '--reuse-build', '--cpu-only'], { cwd: root });
  process.stdout.write(pre.out);
  if (!check(pre.status === 0, 'prebuild (CPU, with native codecs)')) process.exit(1);
}
const packed = sh(process.execPath, [path.join(__dirname, 'release-check.js'), '--cpu-only', '--pack-destination', work], { cwd: root });
const tarball = /ok: (\S+\.tgz)/.exec(packed.out)?.[1];
if (!check(packed.status === 0 && tarball, 'release:check + npm pack', (packed.out.match(/release:check: .*/g) || ['']).pop())) process.exit(1);

const j2k = (() => {
  const dir = path.resolve(root, '..', 'shared', 'data', 'dicom');
  const manifest = path.join(dir, 'MANIFEST.json');
  if (!fs.existsSync(manifest)) return undefined;
  const text = fs.readFileSync(manifest, 'utf8');
  const entries = JSON.parse(text);
  const list = Array.isArray(entries) ? entries : entries.files ?? Object.values(entries);
  const hit = list.find((e) => e && /1\.2\.840\.10008\.1\.2\.4\.9[01]/.test(JSON.stringify(e)));
  const rel = hit && (hit.file ?? hit.path ?? hit.name);
  return rel ? path.join(dir, rel) : undefined;
})();

function consumer(name, extraInstallArgs) {
  say(`--- ${name}: npm install ${path.basename(tarball)} ${extraInstallArgs.join(' ')}`);
  const dir = path.join(work, name);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `consumer-${name}`, version: '1.0.0', private: true }));
  fs.writeFileSync(called, '');
  let inst = sh('npm', ['install', '--offline', '--foreground-scripts', ...extraInstallArgs, tarball], { cwd: dir, env: consumerEnv });
  if (inst.status !== 0 && /ENOTCACHED/.test(inst.out)) {
    say('npm cache lacks some packages (no `npm ci` here before): --prefer-offline instead of --offline');
    inst = sh('npm', ['install', '--prefer-offline', '--foreground-scripts', ...extraInstallArgs, tarball], { cwd: dir, env: consumerEnv });
  }
  process.stdout.write(inst.out.split('\n').filter((l) => /rsna-mammo|ERR|error/i.test(l)).map((l) => `  | ${l}\n`).join(''));
  if (!check(inst.status === 0, `${name}: install exits 0`, inst.status === 0 ? '' : inst.out.slice(-2000))) return;
  const ls = sh('npm', ['ls', '--all', '--omit=dev'], { cwd: dir, env: consumerEnv }).stdout.trim().split('\n').length;
  const du = sh('du', ['-sm', path.join(dir, 'node_modules')]).stdout.split('\t')[0];
  say(`${name}: footprint: \`npm ls --all --omit=dev | wc -l\` = ${ls}, node_modules ${du} MB, tarball ${(fs.statSync(tarball).size / 2 ** 20).toFixed(2)} MiB`);
  const calls = fs.readFileSync(called, 'utf8').trim();
  check(calls === '', `${name}: no compiler or build tool ran`, calls);
  const pkgDir = path.join(dir, 'node_modules', 'rsna-mammo');
  check(!fs.existsSync(path.join(pkgDir, 'build')) && !fs.existsSync(path.join(pkgDir, 'build-cuda')), `${name}: no build/ folder in the installed package`);
  if (!extraInstallArgs.includes('--ignore-scripts')) {
    check(/rsna-mammo: CPU addon: prebuilt prebuilds\/linux-x64\/rsna-mammo\.napi\.node loads \(native codecs: openjpeg, charls, openjph, gdcmJpeg\); nothing compiled/.test(inst.out),
      `${name}: the install script used the prebuilt CPU addon`);
    check((inst.out.match(/rsna-mammo: CUDA addon/g) || []).length === 1, `${name}: one line about the CUDA addon`, (inst.out.match(/rsna-mammo: CUDA addon.*/) || [''])[0]);
  }
  const req = sh(process.execPath, ['-e', "const m=require('rsna-mammo');const x=Object.keys(require.cache).filter(k=>/node_modules\\/exceljs\\//.test(k)).length;console.log(typeof m.createPipeline, x)"], { cwd: dir, env: consumerEnv });
  check(req.status === 0 && req.stdout.trim() === 'function 0', `${name}: require('rsna-mammo') works, exceljs not loaded`, req.out.trim());
  const bin = path.join(dir, 'node_modules', '.bin', 'rsna-mammo');
  const doctor = sh(bin, ['doctor', '--json'], { cwd: dir, env: consumerEnv });
  let report = {};
  try { report = JSON.parse(doctor.stdout); } catch { /* checked below */ }
  check(doctor.status === 0 && report.cpuAddon?.source === 'prebuilt' && report.nativeCodecs === true,
    `${name}: doctor: CPU addon ${report.cpuAddon?.source} (${report.cpuAddon?.path}), native codecs ${report.nativeCodecs}`);
  check(JSON.stringify(report.onnxruntime?.providers) === '["cpu","webgpu"]' || !(report.onnxruntime?.providers || []).includes('cuda'),
    `${name}: doctor lists only loadable ONNX Runtime providers`, `${report.onnxruntime?.providers}; not installed: ${report.onnxruntime?.providersNotInstalled}`);
  const demo = sh(bin, ['demo', '--out', path.join(dir, 'demo-output'), '--quiet'], { cwd: dir, env: { ...consumerEnv, RSNA_MAMMO_QUIET: '1' } });
  check(demo.status === 0 && fs.existsSync(path.join(dir, 'demo-output', 'submission.csv')), `${name}: rsna-mammo demo exits 0 and writes submission.csv`, demo.status === 0 ? '' : demo.out.slice(-1500));
  // RSNA_MAMMO_QUIET=1 and --quiet: stderr holds only the untrained-weights warning (never silenced).
  const noise = demo.out.split('\n').filter((l) => l.trim() && !/UNTRAINED|NOT PREDICTIONS|^prediction_id|^\S+_[LR]\s|^wrote /.test(l));
  check(noise.length === 0, `${name}: RSNA_MAMMO_QUIET=1 demo prints no notices`, noise.slice(0, 3).join(' | '));
  if (!j2k) {
    say(`SKIP ${name}: RSNA JPEG 2000 decode: ../shared/data/dicom is absent`);
    return;
  }
  // The default decoder choice ('auto'); WASM decoders are named wasm-*, native ones after their library.
  const dec = sh(bin, ['dicom', 'decode', j2k, '--json'], { cwd: dir, env: consumerEnv });
  let facts = {};
  try { facts = JSON.parse(dec.stdout); } catch { /* checked below */ }
  check(dec.status === 0 && typeof facts.decoder === 'string' && !facts.decoder.startsWith('wasm'), `${name}: RSNA J2K ${path.basename(j2k)} decoded by the native codec ${facts.decoder}`, dec.status === 0 ? '' : dec.out.slice(-500));
}

consumer('with-scripts', []);
consumer('ignore-scripts', ['--ignore-scripts']);
say(failures === 0 ? 'all checks passed' : `${failures} check(s) failed`);
if (failures === 0) fs.rmSync(work, { recursive: true, force: true });
else say(`kept ${work} for inspection`);
process.exit(failures === 0 ? 0 : 1);
