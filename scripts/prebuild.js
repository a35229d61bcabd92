#!/usr/bin/env node
'use strict';
// `npm run prebuild`: the linux-x64 binaries the package ships (docs/DESIGN.md "Prebuilt binaries").
//   prebuilds/linux-x64/rsna-mammo.napi.node     CPU addon (N-API 8, stripped), linked with the native
//                                                codecs, which lie beside it and are found through its
//                                                RUNPATH $ORIGIN (binding.gyp)
//   prebuilds/linux-x64/lib*.so.*                libopenjp2, CharLS, OpenJPH, GDCM's IJG JPEG (BSD/IJG-style)
//   prebuilds/linux-x64/licenses/*.copyright     their Debian copyright files
//   prebuilds/linux-x64/build.json               what the CPU binary needs (glibc, libstdc++, codecs)
//   prebuilds/linux-x64-cuda/rsna_mammo_cuda.node  CUDA addon, static cudart (a folder name
//                                                node-gyp-build ignores; lib/native.ts loads it)
//   prebuilds/linux-x64-cuda/build.json          CUDA version, architectures, minimum driver
// Options: --reuse-build (package build/Release, and build-cuda-prebuild/ when there, as they are: CI
// after `npm ci` built the CPU addon), --cpu-only.
// CUDA: RSNA_MAMMO_CUDA_NVCC (default: Debian's nvidia-cuda-toolkit 11.8 when installed, the only one
// here that still targets sm_60), RSNA_MAMMO_CUDA_ARCHS (default 60-real;80-real;90-real;90-virtual).
// npm also runs "prebuild" before "build"; that hook is recognised and skipped.
const { spawnSync, execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { CUDA_DIR } = require('./prebuilt-info');

const root = path.join(__dirname, '..');
const args = process.argv.slice(2);
const CPU_DIR = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`);
const DEBIAN_CUDA_11 = '/usr/lib/nvidia-cuda-toolkit/bin/nvcc';
// Libraries every Linux with glibc has: never copied.
const SYSTEM_LIBS = /^(libc|libm|libdl|libpthread|librt|libstdc\+\+|libgcc_s|ld-linux-x86-64)\.so/;

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

function run(cmd, argv, env = process.env) {
  const r = spawnSync(cmd, argv, { cwd: root, stdio: 'inherit', env });
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed (exit ${r.status})`);
}

const say = (line) => console.log(`rsna-mammo prebuild: ${line}`);
const mib = (p) => `${(fs.statSync(p).size / 2 ** 20).toFixed(1)} MiB`;
const strip = (file) => { try { execFileSync('strip', ['--strip-unneeded', file]); } catch { /* strip is optional */ } };

/** Highest versioned glibc / libstdc++ symbols a binary asks for (what a user's system must offer). */
function symbolVersions(file) {
  const text = execFileSync('objdump', ['-T', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const max = (prefix) => [...new Set(text.match(new RegExp(`${prefix}_[0-9.]+`, 'g')) || [])]
    .map((v) => v.slice(prefix.length + 1)).sort((a, b) => a.localeCompare(b, undefined, { numeric: true })).pop() || null;
  return { glibc: max('GLIBC'), glibcxx: max('GLIBCXX') };
}

/** Shared libraries of `file` outside the glibc/libstdc++ baseline, as ldd resolves them here. */
function bundledDependencies(file) {
  const out = execFileSync('ldd', [file], { encoding: 'utf8' });
  const libs = [];
  for (const line of out.split('\n')) {
    const m = /^\s*(\S+) => (\S+)/.exec(line);
    if (!m) continue;
    if (m[2] === 'not') throw new Error(`${path.basename(file)} needs ${m[1]}, which is not installed here`);
    if (!SYSTEM_LIBS.test(m[1])) libs.push({ soname: m[1], file: m[2] });
  }
  return libs;
}

/** The Debian package owning `file` and its copyright file (refusing anything under the AGPL). */
function licenceOf(file) {
  const real = fs.realpathSync(file);
  const pkg = execFileSync('dpkg', ['-S', real], { encoding: 'utf8' }).split(':')[0].trim();
  const copyright = `/usr/share/doc/${pkg}/copyright`;
  const text = fs.readFileSync(copyright, 'utf8');
  if (/\bAGPL|Affero/i.test(text)) throw new Error(`${pkg} (${path.basename(file)}) mentions the AGPL: not shipped in a prebuilt`);
  const licences = [...new Set((text.match(/^License: .+$/gm) || []).map((l) => l.slice(9).trim()))];
  return { pkg, copyright, licences };
}

/** node-gyp rebuild of the CPU addon, never with Grok (AGPL-3.0) in a binary this MIT package ships. */
function rebuildWithoutGrok() {
  run(process.execPath, [require.resolve('node-gyp/bin/node-gyp.js'), 'rebuild', '-j', process.env.JOBS || '2'], { ...process.env, RSNA_MAMMO_NO_GROK: '1' });
}

const buildInfoOf = (file) =>
  JSON.parse(execFileSync(process.execPath, ['-e', 'console.log(JSON.stringify(require(process.argv[1]).buildInfo()))', file], { encoding: 'utf8' }));

function cpuPrebuild() {
  if (!args.includes('--reuse-build')) rebuildWithoutGrok();
  const built = path.join(root, 'build', 'Release', 'rsna_mammo.node');
  if (!fs.existsSync(built)) throw new Error('build/Release/rsna_mammo.node is missing (run without --reuse-build)');
  let info = buildInfoOf(built);
  if (info.sourceOnlyCodecs && info.sourceOnlyCodecs.grok) {
    // A source build here found Grok: fine for this machine, not for a prebuilt.
    say('build/Release links Grok (AGPL-3.0, source builds only): rebuilding without it for the prebuilt');
    rebuildWithoutGrok();
    info = buildInfoOf(built);
    if (info.sourceOnlyCodecs && info.sourceOnlyCodecs.grok) throw new Error('the rebuilt CPU addon still links Grok: not shipped in a prebuilt');
  }
  const codecs = info.codecs;
  const missing = Object.keys(codecs).filter((k) => !codecs[k]);
  if (missing.length) {
    throw new Error(`the CPU addon was built without the native codecs ${missing.join(', ')}: install them first ` +
      '(bash scripts/install-system-deps.sh) — a prebuilt must not fall back to WASM');
  }
  fs.rmSync(CPU_DIR, { recursive: true, force: true });
  fs.mkdirSync(path.join(CPU_DIR, 'licenses'), { recursive: true });
  const target = path.join(CPU_DIR, 'rsna-mammo.napi.node');
  fs.copyFileSync(built, target);
  strip(target);
  const libraries = [];
  for (const dep of bundledDependencies(built)) {
    const copy = path.join(CPU_DIR, dep.soname);
    fs.copyFileSync(dep.file, copy);
    strip(copy);
    const lic = licenceOf(dep.file);
    fs.copyFileSync(lic.copyright, path.join(CPU_DIR, 'licenses', `${lic.pkg}.copyright`));
    libraries.push({ file: dep.soname, debianPackage: lic.pkg, licences: lic.licences });
  }
  // The copies must be what the prebuilt loads: ldd resolves them in $ORIGIN, not in /usr/lib.
  const resolved = execFileSync('ldd', [target], { encoding: 'utf8' });
  for (const lib of libraries) {
    if (!resolved.includes(path.join(CPU_DIR, lib.file))) throw new Error(`${lib.file} is not found beside the prebuilt (RUNPATH $ORIGIN missing?)`);
  }
  const needs = { ...symbolVersions(target) };
  for (const lib of libraries) {
    const v = symbolVersions(path.join(CPU_DIR, lib.file));
    for (const k of ['glibc', 'glibcxx']) if (v[k] && (!needs[k] || v[k].localeCompare(needs[k], undefined, { numeric: true }) > 0)) needs[k] = v[k];
  }
  const manifest = { napi: 8, codecs: Object.keys(codecs), needs, libraries };
  fs.writeFileSync(path.join(CPU_DIR, 'build.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  say(`${path.relative(root, target)} (${mib(target)}) + ${libraries.map((l) => l.file).join(', ')}; needs glibc >= ${needs.glibc}, GLIBCXX >= ${needs.glibcxx}`);
}

/** The SASS (sm_XX) and PTX (compute_XX) targets cuobjdump finds in `file`; undefined without cuobjdump. */
function cudaArchsIn(file, toolkitBin) {
  for (const tool of [path.join(toolkitBin, 'cuobjdump'), 'cuobjdump']) {
    const elf = spawnSync(tool, ['--list-elf', file], { encoding: 'utf8' });
    if (elf.status !== 0) continue;
    const ptx = spawnSync(tool, ['--list-ptx', file], { encoding: 'utf8' });
    // --list-ptx names PTX entries "….sm_90.ptx": that is compute_90 code.
    const sass = elf.stdout.match(/sm_\d+/g) || [];
    const virt = (ptx.stdout || '').match(/sm_\d+/g)?.map((a) => a.replace('sm_', 'compute_')) || [];
    return [...new Set([...sass, ...virt])].sort();
  }
  return undefined;
}

function findNvcc() {
  if (process.env.RSNA_MAMMO_CUDA_NVCC) return process.env.RSNA_MAMMO_CUDA_NVCC;
  if (fs.existsSync(DEBIAN_CUDA_11)) return DEBIAN_CUDA_11;
  return undefined;
}

function cudaPrebuild() {
  const nvcc = findNvcc();
  if (!nvcc) {
    throw new Error(`no CUDA toolkit for the prebuild: install Debian's nvidia-cuda-toolkit 11.8 (${DEBIAN_CUDA_11}; ` +
      'bash scripts/install-system-deps.sh --prebuild) or set RSNA_MAMMO_CUDA_NVCC; --cpu-only skips the CUDA addon');
  }
  const archs = process.env.RSNA_MAMMO_CUDA_ARCHS || '60-real;80-real;90-real;90-virtual';
  // Its own tools must come first on PATH: a newer CUDA's ptxas/fatbinary/nvlink (e.g. wrappers in
  // /usr/local/bin) cannot target sm_60. Debian's toolkit keeps cicc/gcc beside nvcc and ptxas,
  // fatbinary, nvlink in /usr/bin.
  const toolDirs = nvcc === DEBIAN_CUDA_11 ? [path.dirname(nvcc), '/usr/bin'] : [path.dirname(nvcc)];
  const env = { ...process.env, PATH: [...toolDirs, process.env.PATH].join(':'), CUDACXX: nvcc, RSNA_MAMMO_CUDA_ARCHS: archs };
  const buildDir = path.join(root, 'build-cuda-prebuild');
  // --reuse-build keeps an earlier prebuild's CUDA build (the architecture check below still applies).
  if (!(args.includes('--reuse-build') && fs.existsSync(path.join(buildDir, 'Release', 'rsna_mammo_cuda.node')))) {
    fs.rmSync(buildDir, { recursive: true, force: true });
    run(process.execPath, [path.join(__dirname, 'build-cuda.js'), '--force', '--out', path.basename(buildDir)], env);
  }
  const built = path.join(buildDir, 'Release', 'rsna_mammo_cuda.node');
  const dir = path.join(root, 'prebuilds', CUDA_DIR);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const target = path.join(dir, 'rsna_mammo_cuda.node');
  fs.copyFileSync(built, target);
  strip(target);
  const deps = bundledDependencies(target).filter((d) => !/^libcuda\.so/.test(d.soname));
  if (deps.length) throw new Error(`the CUDA addon links ${deps.map((d) => d.soname).join(', ')}: the prebuilt must need only glibc, libstdc++ and the driver (static cudart)`);
  const cuda = /release ([0-9.]+)/.exec(execFileSync(nvcc, ['--version'], { encoding: 'utf8', env }))?.[1] ?? 'unknown';
  const archsInBinary = cudaArchsIn(target, path.dirname(nvcc));
  for (const a of archs.split(';')) {
    const [n, kind] = a.split('-');
    const want = kind === 'virtual' ? `compute_${n}` : `sm_${n}`;
    if (archsInBinary && !archsInBinary.includes(want)) throw new Error(`${want} is not in the built binary (${archsInBinary.join(', ')})`);
  }
  const info = require(target);
  const manifest = {
    cudaVersion: cuda,
    cudaArchitectures: archs,
    inBinary: archsInBinary,
    // CUDA 11.x runtime, statically linked: any driver >= 450.80.02 runs it (minor version compatibility);
    // the GPU itself needs a driver that supports it (Hopper: >= 520), and the compute_90 PTX is JIT-compiled only by >= 520.
    minDriver: cuda.startsWith('11.') ? '450.80.02 (P100, A100); 520.61.05 (H100/H200)' : 'see docs/GPU.md',
    needs: symbolVersions(target),
    tensorrtCompiled: typeof info.tensorrtInfo === 'function' ? info.tensorrtInfo().compiled : false,
    modules: info.modules,
  };
  fs.writeFileSync(path.join(dir, 'build.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  say(`${path.relative(root, target)} (${mib(target)}; CUDA ${cuda}, archs ${archs})`);
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
  cpuPrebuild();
  if (!args.includes('--cpu-only')) cudaPrebuild();
} catch (err) {
  console.error(`rsna-mammo prebuild: failed: ${err.message}`);
  process.exit(1);
}
