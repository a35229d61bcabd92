/**
 * scripts/build-torch.js never fails `npm install`: without cmake (or libtorch) it prints one line and
 * exits 0; `npm run build:torch` (--force) makes that an error. (The build itself: the libtorch tests
 * use the addon it made; they skip by name when it is absent.)
 */
import t from 'tap';
import { spawnSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { repoRoot } from '../helpers/shared';

const script = path.join(repoRoot, 'scripts', 'build-torch.js');

t.test('no cmake: one line, exit 0; --force: exit 1', async (t) => {
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-no-cmake-'));
  const env = { PATH: bin, HOME: bin };
  const plain = spawnSync(process.execPath, [script], { encoding: 'utf8', env });
  t.equal(plain.status, 0);
  t.equal(plain.stdout, 'rsna-mammo: libtorch backend skipped: cmake not found; the libtorch backend needs cmake, a C++17 compiler and libtorch (ONNX Runtime works without it)\n');
  t.equal(spawnSync(process.execPath, [script, '--force'], { encoding: 'utf8', env }).status, 1);
  const skip = spawnSync(process.execPath, [script, '--force'], { encoding: 'utf8', env: { ...env, RSNA_MAMMO_SKIP_TORCH: '1' } });
  t.equal(skip.status, 0);
  t.match(skip.stdout, /libtorch backend skipped \(RSNA_MAMMO_SKIP_TORCH=1\)/);
});

t.test('cmake but no libtorch: one line naming how to get it', async (t) => {
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-fake-cmake-'));
  fs.writeFileSync(path.join(bin, 'cmake'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  // No python3 on PATH and no libtorch in the env folders this test can see: only the system folders remain.
  const systemTorch = ['/usr/lib/x86_64-linux-gnu/cmake/Torch', '/usr/local/libtorch/share/cmake/Torch', '/opt/libtorch/share/cmake/Torch',
    '/usr/lib/aarch64-linux-gnu/cmake/Torch', '/usr/lib64/cmake/Torch'].some((d) => fs.existsSync(path.join(d, 'TorchConfig.cmake')));
  if (systemTorch) {
    t.skip('this machine has a system libtorch (libtorch-dev): the "not found" line cannot be provoked here');
    return;
  }
  const r = spawnSync(process.execPath, [script], { encoding: 'utf8', env: { PATH: bin, HOME: bin } });
  t.equal(r.status, 0);
  t.match(r.stdout, /^rsna-mammo: libtorch backend skipped: libtorch not found \(set Torch_DIR or LIBTORCH/);
});
