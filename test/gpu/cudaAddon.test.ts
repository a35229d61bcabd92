// The real CUDA addon binary: child-process test load, isolation from broken binaries, and the
// GPU-only checks (skipped by name without a GPU).
import t from 'tap';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { cudaAddonPath, cudaAddonStatus, loadCudaAddon, tryLoadCudaAddon } from '../../lib/native';
import { testLoadAddon } from '../../lib/gpu/testLoadAddon';
import { needsGpu } from '../helpers/shared';

const addonPath = cudaAddonPath();
const status = cudaAddonStatus();

t.test('the CUDA addon is built here (CI builds it with nvcc) and loads in a child process', { skip: addonPath ? false : 'CUDA addon not built (no nvcc at install): skipped' }, async (t) => {
  const r = testLoadAddon(addonPath!);
  t.equal(r.ok, true, r.reason);
  const report = r.report as { modules: string[]; deviceInfo: { runtimeVersion: number; deviceCount: number } };
  t.ok(report.modules.includes('device_info'));
  t.ok(report.modules.includes('tensorrt_info'));
  t.ok(report.deviceInfo.runtimeVersion >= 12000, 'CUDA runtime 12+ linked statically');
  t.ok(report.deviceInfo.deviceCount >= 0);
});

t.test('a broken binary is caught in the child, the host survives', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-broken-'));
  const bad = path.join(dir, 'broken.node');
  fs.writeFileSync(bad, 'not an ELF file');
  const r = testLoadAddon(bad);
  t.equal(r.ok, false);
  t.match(r.reason, /test load of .*broken\.node failed \(exit code 1\)/);
});

t.test('without a usable GPU the loader throws ERR_CUDA_UNAVAILABLE and tryLoad falls back with one line', { skip: status.usable ? 'a GPU is usable here' : false }, async (t) => {
  t.throws(() => loadCudaAddon(), { code: 'ERR_CUDA_UNAVAILABLE' });
  const lines: string[] = [];
  t.equal(tryLoadCudaAddon((l) => lines.push(l)), undefined);
  t.equal(lines.length, 1);
  t.match(lines[0], /^rsna-mammo: GPU not used: .+; using the CPU path$/);
});

t.test('GPU: deviceInfo lists the GPU with its compute capability', needsGpu(status.usable, 'deviceInfo lists the GPU'), async (t) => {
  const info = loadCudaAddon().deviceInfo();
  t.ok(info.deviceCount >= 1);
  t.match(info.devices?.[0].computeCapability, /^\d+\.\d+$/);
});
