#!/usr/bin/env node
'use strict';
// `npm run prebuild`: the linux-x64 binaries a package ships.
//   prebuilds/linux-x64/rsna-mammo.node            CPU addon (prebuildify, N-API, stripped)
//   prebuilds/linux-x64-cuda/rsna_mammo_cuda.node  CUDA addon for sm_80 (A100) + sm_90 (H100) + PTX
//                                                  (a folder name node-gyp-build ignores; lib/native.ts loads it)
//   prebuilds/linux-x64-cuda/build.json            what the CUDA binary was built with
// CUDA 13 dropped sm_60 (P100): such GPUs need a source build with CUDA <= 12 and
// RSNA_MAMMO_CUDA_ARCHS="60-real;60-virtual" (docs/GPU.md). npm also runs "prebuild" before
// "build"; that hook is recognised and skipped, so `npm run build` stays a TypeScript build.
const { spawnSync, execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');

// npm runs `prebuild` as a pre-hook of `npm run build`: find the npm command line among our ancestors.
function invokedAsBuildHook() {
  let pid = process.ppid;
  for (let depth = 0; depth < 4 && pid > 1; depth++) {
    let argv;
    try {
      // npm retitles itself ("npm run build" as one argument), so split on spaces too.
      argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0\s]+/);
    } catch {
      return false;
    }
    const i = argv.findIndex((a) => a === 'run' || a === 'run-script');
    if (i >= 0) return argv[i + 1] === 'build';
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    pid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  }
  return false;
}

function run(cmd, args, env = process.env) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status})`);
}

if (invokedAsBuildHook()) {
  console.log('rsna-mammo: prebuild skipped (npm runs it before `npm run build`; use `npm run prebuild`)');
  process.exit(0);
}
if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.error(`rsna-mammo: prebuilds are made for linux-x64 only (this is ${process.platform}-${process.arch})`);
  process.exit(1);
}

try {
  // The shipped CPU binary links no codec libraries (a user's machine may lack libopenjp2.so.7 etc.):
  // it decodes with the WASM codecs; `npm rebuild rsna-mammo` with the Debian codec packages gets the
  // native ones (DESIGN.md, backends table).
  run(process.execPath, [require.resolve('prebuildify/bin.js'), '--napi', '--strip', '--target', '20.0.0'],
    { ...process.env, RSNA_MAMMO_NO_NATIVE_CODECS: '1' });
  // prebuildify leaves build/ configured without codecs and without the binary: rebuild it as before.
  run(process.execPath, [require.resolve('node-gyp/bin/node-gyp.js'), 'rebuild']);
  const archs = process.env.RSNA_MAMMO_CUDA_ARCHS || '80-real;90-real;90-virtual';
  run(process.execPath, [path.join(__dirname, 'build-cuda.js'), '--force'], { ...process.env, RSNA_MAMMO_CUDA_ARCHS: archs });
  const built = path.join(root, 'build-cuda', 'Release', 'rsna_mammo_cuda.node');
  const dir = path.join(root, 'prebuilds', 'linux-x64-cuda');
  fs.mkdirSync(dir, { recursive: true });
  const target = path.join(dir, 'rsna_mammo_cuda.node');
  fs.copyFileSync(built, target);
  try { execFileSync('strip', ['--strip-unneeded', target]); } catch { /* strip is optional */ }
  const nvcc = execFileSync(process.env.CUDACXX || '/usr/local/cuda/bin/nvcc', ['--version'], { encoding: 'utf8' });
  const cuda = /release ([0-9.]+)/.exec(nvcc)?.[1] ?? 'unknown';
  const info = require(target);
  const manifest = { cudaArchitectures: archs, cudaVersion: cuda, tensorrtCompiled: info.tensorrtInfo().compiled, modules: info.modules };
  fs.writeFileSync(path.join(dir, 'build.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const mib = (p) => (fs.statSync(p).size / 2 ** 20).toFixed(1);
  console.log(`rsna-mammo: prebuilds/linux-x64/rsna-mammo.node (${mib(path.join(root, 'prebuilds', 'linux-x64', 'rsna-mammo.node'))} MiB), ` +
    `prebuilds/linux-x64-cuda/rsna_mammo_cuda.node (${mib(target)} MiB; CUDA ${cuda}, archs ${archs})`);
} catch (err) {
  console.error(`rsna-mammo: prebuild failed: ${err.message}`);
  process.exit(1);
}
