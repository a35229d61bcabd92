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
