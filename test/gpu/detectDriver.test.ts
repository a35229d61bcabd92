// Driver detection and the CUDA fallback rules (lib/gpu/), tested with injected probes: no GPU needed.
import t from 'tap';
import { detectDriver, ProbeEnv } from '../../lib/gpu/detectDriver';
import { cpuFallbackLine, decideCudaUse } from '../../lib/gpu/cudaStatus';

function fakeProbe(files: string[], procVersion?: string, env: NodeJS.ProcessEnv = { PATH: '/usr/bin' }): ProbeEnv {
  return { exists: (p) => files.includes(p), readText: (p) => (p === '/proc/driver/nvidia/version' ? procVersion : undefined), env };
}

t.test('driver present when libcuda.so.1 exists (LD_LIBRARY_PATH searched first)', async (t) => {
  const d = detectDriver(fakeProbe(['/opt/drv/libcuda.so.1', '/usr/lib/x86_64-linux-gnu/libcuda.so.1', '/usr/bin/nvidia-smi'],
    'NVRM version: NVIDIA UNIX x86_64 Kernel Module  580.95\nGCC version', { PATH: '/usr/bin', LD_LIBRARY_PATH: '/opt/drv' }));
  t.equal(d.present, true);
  t.equal(d.libcuda, '/opt/drv/libcuda.so.1');
  t.equal(d.nvidiaSmi, '/usr/bin/nvidia-smi');
  t.equal(d.kernelModule, 'NVRM version: NVIDIA UNIX x86_64 Kernel Module  580.95');
  t.equal(d.reason, undefined);
});

t.test('libcuda.so.1 alone (Debian libcuda1, no GPU) is not a driver; the module or nvidia-smi makes it one', async (t) => {
  const lib = '/usr/lib/x86_64-linux-gnu/libcuda.so.1';
  const alone = detectDriver(fakeProbe([lib]));
  t.equal(alone.present, false);
  t.equal(alone.libcuda, lib);
  t.match(alone.reason, /libcuda\.so\.1 exists but no NVIDIA kernel module is loaded .*no nvidia-smi/);
  const sysModule = detectDriver(fakeProbe([lib, '/sys/module/nvidia']));
  t.equal(sysModule.present, true, '/sys/module/nvidia counts');
  t.equal(sysModule.kernelModule, '/sys/module/nvidia');
  const proc = detectDriver(fakeProbe([lib], 'NVRM version: 580'));
  t.equal(proc.present, true, '/proc/driver/nvidia/version counts');
  const wsl = detectDriver(fakeProbe(['/usr/lib/wsl/lib/libcuda.so.1', '/usr/lib/wsl/lib/nvidia-smi'], undefined, { PATH: '/usr/bin' }));
  t.equal(wsl.present, true, 'WSL: libcuda + nvidia-smi, no /proc/driver/nvidia');
});

t.test('this machine: a libcuda without a kernel module and without nvidia-smi is reported absent', async (t) => {
  const d = detectDriver();
  const fs = await import('fs');
  const kernel = fs.existsSync('/proc/driver/nvidia/version') || fs.existsSync('/sys/module/nvidia');
  if (d.libcuda && !kernel && !d.nvidiaSmi) t.equal(d.present, false, `${d.libcuda} alone`);
  else t.pass(`driver probe here: present=${d.present} (libcuda ${d.libcuda ?? 'none'}, module ${d.kernelModule ?? 'none'}, nvidia-smi ${d.nvidiaSmi ?? 'none'})`);
});

t.test('no driver at all: reason names the three probes', async (t) => {
  const d = detectDriver(fakeProbe([]));
  t.equal(d.present, false);
  t.match(d.reason, /no libcuda\.so\.1, no \/proc\/driver\/nvidia, no nvidia-smi/);
});

t.test('kernel module without libcuda: reason says to fix LD_LIBRARY_PATH', async (t) => {
  const d = detectDriver(fakeProbe([], 'NVRM version: 580'));
  t.equal(d.present, false);
  t.match(d.reason, /LD_LIBRARY_PATH/);
});

const driverOk = { present: true, libcuda: '/usr/lib/x86_64-linux-gnu/libcuda.so.1' };
const driverMissing = { present: false, reason: 'no NVIDIA driver found (x)' };
const h100 = { runtimeVersion: 13000, driverVersion: 13000, deviceCount: 1, devices: [{ name: 'NVIDIA H100', computeCapability: '9.0', totalMemory: 8e10 }] };

t.test('fallback rules: first failing check wins, test load only when useful', async (t) => {
  let loads = 0;
  const ok = () => { loads++; return { ok: true, report: { deviceInfo: h100 } }; };
  t.match(decideCudaUse({ disabled: true, addonPath: '/a.node', driver: driverOk, testLoad: ok }), { usable: false, reason: /RSNA_MAMMO_GPU=0/ });
  t.match(decideCudaUse({ disabled: false, driver: driverOk, testLoad: ok }), { usable: false, built: false, reason: /CUDA addon is not installed.*RSNA_MAMMO_BUILD_CUDA=1/ });
  t.match(decideCudaUse({ disabled: false, addonPath: '/a.node', driver: driverMissing, testLoad: ok }),
    { usable: false, built: true, reason: 'no NVIDIA driver found (x)' });
  t.equal(loads, 0, 'no child process spawned when the answer is already known');
  const broken = decideCudaUse({ disabled: false, addonPath: '/a.node', driver: driverOk, testLoad: () => ({ ok: false, reason: 'test load of /a.node failed (killed by SIGSEGV)' }) });
  t.match(broken, { usable: false, loadable: false, reason: /SIGSEGV/ });
  const noDevice = decideCudaUse({ disabled: false, addonPath: '/a.node', driver: driverOk,
    testLoad: () => ({ ok: true, report: { deviceInfo: { runtimeVersion: 13000, driverVersion: 12020, deviceCount: 0, error: 'CUDA driver version is insufficient for CUDA runtime version' } } }) });
  t.match(noDevice, { usable: false, loadable: true, reason: /sees no GPU \(CUDA driver version is insufficient/ });
  const good = decideCudaUse({ disabled: false, addonPath: '/a.node', driver: driverOk, testLoad: ok });
  t.match(good, { usable: true, loadable: true, reason: undefined });
  t.equal(good.deviceInfo?.devices?.[0].computeCapability, '9.0');
});

t.test('doctor mode test-loads without a driver but still falls back', async (t) => {
  const s = decideCudaUse({ disabled: false, addonPath: '/a.node', driver: driverMissing, alwaysTestLoad: true,
    testLoad: () => ({ ok: true, report: { deviceInfo: { runtimeVersion: 13000, driverVersion: 0, deviceCount: 0 } } }) });
  t.equal(s.loadable, true);
  t.equal(s.usable, false);
  t.equal(cpuFallbackLine(s), 'rsna-mammo: GPU not used: no NVIDIA driver found (x); using the CPU path');
});
