/**
 * The install script of the package as a consumer receives it: no devDependencies (so no cmake-js),
 * possibly nvcc on PATH. Optional parts must never fail the install (issue 16, first finding).
 */
import t from 'tap';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { spawnSync } from 'child_process';
import { repoRoot } from '../helpers/shared';

/** A package folder with only the install scripts and CMakeLists.txt: no node_modules at all. */
function consumerCopy(t: Tap.Test): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-install-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.mkdirSync(path.join(dir, 'scripts'));
  for (const f of ['build-cuda.js', 'prebuilt-info.js']) fs.copyFileSync(path.join(repoRoot, 'scripts', f), path.join(dir, 'scripts', f));
  fs.copyFileSync(path.join(repoRoot, 'CMakeLists.txt'), path.join(dir, 'CMakeLists.txt'));
  // A fake nvcc on PATH: every GPU box has one.
  const bin = path.join(dir, 'fakebin');
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, 'nvcc'), '#!/bin/sh\necho "Cuda compilation tools, release 12.0"\n', { mode: 0o755 });
  return dir;
}

function runBuildCuda(dir: string, args: string[] = []): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [path.join(dir, 'scripts', 'build-cuda.js'), ...args], {
    cwd: dir, encoding: 'utf8',
    env: { PATH: `${path.join(dir, 'fakebin')}:/usr/bin:/bin`, HOME: dir, NODE_PATH: '' },
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

t.test('build-cuda.js with nvcc on PATH but no cmake-js (a consumer install) exits 0 with one line saying how to build', async (t) => {
  const dir = consumerCopy(t);
  const r = runBuildCuda(dir);
  t.equal(r.status, 0, r.out);
  t.notMatch(r.out, /Cannot find module/);
  const lines = r.out.trim().split('\n');
  t.equal(lines.length, 1, r.out);
  t.match(lines[0], /^rsna-mammo: CUDA addon not built from source .*cmake-js.*RSNA_MAMMO_BUILD_CUDA=1/);
});

t.test('build-cuda.js --force (npm run build:cuda) without cmake-js is an error', async (t) => {
  const dir = consumerCopy(t);
  const r = runBuildCuda(dir, ['--force']);
  t.equal(r.status, 1, r.out);
  t.match(r.out, /cmake-js is not installed/);
});

t.test('RSNA_MAMMO_SKIP_CUDA=1 skips with one line', async (t) => {
  const dir = consumerCopy(t);
  const r = spawnSync(process.execPath, [path.join(dir, 'scripts', 'build-cuda.js')], { cwd: dir, encoding: 'utf8', env: { PATH: `${path.join(dir, 'fakebin')}:/usr/bin:/bin`, RSNA_MAMMO_SKIP_CUDA: '1' } });
  t.equal(r.status, 0);
  t.match(r.stdout, /skipped \(RSNA_MAMMO_SKIP_CUDA=1\)/);
});

/** A package folder holding the install scripts, node-gyp-build and the CPU prebuilt of this checkout. */
function packageWithPrebuilt(t: Tap.Test): string {
  const dir = consumerCopy(t);
  fs.copyFileSync(path.join(repoRoot, 'scripts', 'install.js'), path.join(dir, 'scripts', 'install.js'));
  fs.cpSync(path.join(repoRoot, 'prebuilds', 'linux-x64'), path.join(dir, 'prebuilds', 'linux-x64'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(path.join(repoRoot, 'node_modules', 'node-gyp-build'), path.join(dir, 'node_modules', 'node-gyp-build'));
  return dir;
}

const noPrebuilt = fs.existsSync(path.join(repoRoot, 'prebuilds', 'linux-x64', 'build.json')) ? false : 'no CPU prebuild in this checkout (npm run prebuild): skipped';

t.test('install.js keeps a prebuilt that loads, compiles nothing, and a failing optional part does not fail it', { skip: noPrebuilt }, async (t) => {
  const dir = packageWithPrebuilt(t);
  fs.writeFileSync(path.join(dir, 'scripts', 'build-train.js'), 'console.error("no libtorch here"); process.exit(3);\n');
  const calls = path.join(dir, 'calls.log');
  for (const tool of ['gcc', 'g++', 'c++', 'cc', 'make', 'cmake']) {
    fs.writeFileSync(path.join(dir, 'fakebin', tool), `#!/bin/sh\necho ${tool} >> "${calls}"\nexit 1\n`, { mode: 0o755 });
  }
  const env = { PATH: `${path.join(dir, 'fakebin')}:/usr/bin:/bin`, HOME: dir, CC: '/bin/false', CXX: '/bin/false' };
  // An installed package (no .git): the trainer is not built unless asked, in one line.
  const plain = spawnSync(process.execPath, [path.join(dir, 'scripts', 'install.js')], { cwd: dir, encoding: 'utf8', env });
  t.equal(plain.status, 0, plain.stdout + plain.stderr);
  t.match(plain.stdout, /rsna-mammo: trainer: not built \(only training needs it; to build it: RSNA_MAMMO_BUILD_TRAIN=1 npm rebuild rsna-mammo/);
  t.notMatch(plain.stderr, /no libtorch here/, 'build-train.js not run');
  const r = spawnSync(process.execPath, [path.join(dir, 'scripts', 'install.js')], { cwd: dir, encoding: 'utf8', env: { ...env, RSNA_MAMMO_BUILD_TRAIN: '1' } });
  const out = `${r.stdout}${r.stderr}`;
  t.equal(r.status, 0, out);
  t.match(out, /rsna-mammo: CPU addon: prebuilt prebuilds\/linux-x64\/rsna-mammo\.napi\.node loads \(native codecs: openjpeg, charls, openjph, gdcmJpeg\); nothing compiled/);
  t.match(out, /rsna-mammo: CUDA addon not built from source .*RSNA_MAMMO_BUILD_CUDA=1/, 'nvcc on PATH, no cmake-js: one line');
  t.match(out, /rsna-mammo: trainer: build-train\.js failed \(exit 3\); skipped, inference works without it/, 'asked for and failing: the install still succeeds');
  t.notOk(fs.existsSync(calls), 'no compiler or build tool ran');
  t.notOk(fs.existsSync(path.join(dir, 'build')), 'no build/ folder');
});

t.test('install.js without any loading binary and without a compiler fails with what is needed', { skip: noPrebuilt }, async (t) => {
  const dir = packageWithPrebuilt(t);
  fs.rmSync(path.join(dir, 'prebuilds'), { recursive: true });
  // npm hands its node-gyp to install scripts as npm_config_node_gyp: one that fails like a missing compiler.
  fs.writeFileSync(path.join(dir, 'fakebin', 'node-gyp.js'), 'process.stderr.write("gyp ERR! build error\\n"); process.exit(1);\n');
  const r = spawnSync(process.execPath, [path.join(dir, 'scripts', 'install.js')], {
    cwd: dir, encoding: 'utf8', env: { PATH: `${path.join(dir, 'fakebin')}:/usr/bin:/bin`, HOME: dir, npm_config_node_gyp: path.join(dir, 'fakebin', 'node-gyp.js') },
  });
  const out = `${r.stdout}${r.stderr}`;
  t.equal(r.status, 1, out);
  t.match(out, /CPU addon: no binary for linux-x64 loads/);
  t.match(out, /the source build failed\. It needs python3, make, a C\+\+17 compiler/);
});
