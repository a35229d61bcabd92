#!/usr/bin/env node
'use strict';
// `npm run release:check [-- --cpu-only] [--pack-destination DIR]`: refuses to pack a package that
// would compile on users' machines. It checks the prebuilds (scripts/prebuild.js made them), that the
// CPU prebuilt loads with its bundled codecs, and that the tarball holds them and nothing repo-only
// (benchmarks, peers, device checks, native tests, .pyc); then runs `npm pack` and prints the
// tarball's path and size. --cpu-only allows a missing CUDA prebuild (CI's packed-install test only:
// a release ships both).
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { CUDA_DIR } = require('./prebuilt-info');

const root = path.join(__dirname, '..');
const args = process.argv.slice(2);
const cpuOnly = args.includes('--cpu-only');
const destIndex = args.indexOf('--pack-destination');
const dest = destIndex >= 0 ? path.resolve(args[destIndex + 1]) : root;
const cpuDir = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`);
const cudaDir = path.join(root, 'prebuilds', CUDA_DIR);
/** Paths that only the repository needs. */
const REPO_ONLY = /(^|\/)(bench|tools|peers?|device-check[^/]*|__pycache__|native\/tests)(\/|$)|\.pyc$|(^|\/)lib\/.*\.ts$|\.js\.map$/;

function refuse(message) {
  console.error(`rsna-mammo release:check: REFUSED: ${message}`);
  process.exit(1);
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

// 1. The prebuilds.
const cpuBuild = readJson(path.join(cpuDir, 'build.json'));
const cpuNode = path.join(cpuDir, 'rsna-mammo.napi.node');
if (!fs.existsSync(cpuNode) || !cpuBuild) refuse(`no CPU prebuild in ${path.relative(root, cpuDir)}: run \`npm run prebuild\``);
for (const lib of cpuBuild.libraries) {
  if (!fs.existsSync(path.join(cpuDir, lib.file))) refuse(`${lib.file} is listed in build.json but missing beside the prebuilt`);
  if (!fs.existsSync(path.join(cpuDir, 'licenses', `${lib.debianPackage}.copyright`))) refuse(`no licence file for ${lib.debianPackage}`);
}
const probe = spawnSync(process.execPath, ['-e', 'console.log(JSON.stringify(require(process.argv[1]).buildInfo()))', cpuNode], { encoding: 'utf8' });
if (probe.status !== 0) refuse(`the CPU prebuilt does not load: ${probe.stderr.trim().split('\n')[0]}`);
const { codecs, sourceOnlyCodecs } = JSON.parse(probe.stdout);
if (sourceOnlyCodecs && Object.values(sourceOnlyCodecs).some(Boolean)) refuse(`the CPU prebuilt links a source-build-only codec (Grok, AGPL-3.0): ${JSON.stringify(sourceOnlyCodecs)}`);
if (!Object.values(codecs).every(Boolean)) refuse(`the CPU prebuilt lacks native codecs: ${JSON.stringify(codecs)}`);
const cudaBuild = readJson(path.join(cudaDir, 'build.json'));
if (!cpuOnly && (!cudaBuild || !fs.existsSync(path.join(cudaDir, 'rsna_mammo_cuda.node')))) {
  refuse(`no CUDA prebuild in ${path.relative(root, cudaDir)}: run \`npm run prebuild\` with Debian's nvidia-cuda-toolkit 11.8 (docs/GPU.md)`);
}
if (cudaBuild && !/60/.test(cudaBuild.cudaArchitectures)) console.warn(`rsna-mammo release:check: warning: the CUDA prebuild has no sm_60 (P100): ${cudaBuild.cudaArchitectures}`);

// 2. A fresh dist/ (tsc never deletes the output of a source that moved away), then what npm would pack.
fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
if (tsc.status !== 0) refuse('the TypeScript build failed');
const dry = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
if (dry.status !== 0) refuse(`npm pack --dry-run failed: ${dry.stderr}`);
const files = JSON.parse(dry.stdout)[0].files.map((f) => f.path);
const repoOnly = files.filter((f) => REPO_ONLY.test(f));
if (repoOnly.length) refuse(`repo-only files would ship: ${repoOnly.slice(0, 8).join(', ')}${repoOnly.length > 8 ? ', …' : ''}`);
if (!files.includes(path.relative(root, cpuNode))) refuse('the CPU prebuilt is not in the file list (package.json "files")');

// 3. Pack (dist/ was just built: no prepare script again).
fs.mkdirSync(dest, { recursive: true });
const pack = spawnSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dest], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
if (pack.status !== 0) refuse('npm pack failed');
const info = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('[')))[0];
const tarball = path.join(dest, info.filename);
console.log(`rsna-mammo release:check: ok: ${tarball} (${(info.size / 2 ** 20).toFixed(2)} MiB packed, ` +
  `${(info.unpackedSize / 2 ** 20).toFixed(2)} MiB unpacked, ${info.entryCount} files; CPU prebuilt with ${Object.keys(codecs).join(', ')}; ` +
  `CUDA prebuilt ${cudaBuild ? `${cudaBuild.cudaVersion} ${cudaBuild.cudaArchitectures}` : 'absent (--cpu-only)'})`);

