// `rsna-mammo doctor --json`: stable keys, and on a machine without a GPU (CI, this container) the
// facts issue 6 asks for: CPU addon loaded, CUDA addon built but not used (no driver), TensorRT
// absent with a reason, native codecs in use when the CPU addon was built with them.
import t from 'tap';
import { Writable } from 'stream';
import { main } from '../../lib/cli/main';
import { loadCpuAddon, cudaAddonPath } from '../../lib/native';
import { detectDriver } from '../../lib/gpu/detectDriver';

async function doctor(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const sink = new Writable({ write(chunk, _e, cb) { out += String(chunk); cb(); } });
  const code = await main(['doctor', ...args], { stdout: sink, stderr: sink });
  return { code, out };
}

t.test('doctor --json has every documented key', async (t) => {
  const { code, out } = await doctor(['--json']);
  t.equal(code, 0);
  const r = JSON.parse(out);
  t.same(Object.keys(r).sort(), ['codecs', 'cpuAddon', 'cudaAddon', 'driver', 'gpus', 'j2kDecoder', 'libtorch', 'libtorchBackend', 'nativeCodecs', 'onnxruntime',
    'platform', 'schema', 'tensorrt', 'trainer', 'uses', 'version'].sort());
  t.equal(r.schema, 1);
  t.same(Object.keys(r.cudaAddon).sort(), ['built', 'driverVersion', 'loadable', 'loaded', 'path', 'reason', 'runtimeVersion']);
  t.same(Object.keys(r.tensorrt).sort(), ['compiled', 'found', 'headerVersion', 'reason', 'usable', 'version']);
  t.same(Object.keys(r.onnxruntime).sort(), ['found', 'providers', 'providersNotInstalled', 'reason', 'version']);
  t.same(Object.keys(r.cpuAddon).sort(), ['loaded', 'modules', 'napiVersion', 'path', 'reason', 'source']);
  t.same(Object.keys(r.libtorch).sort(), ['found', 'path', 'reason', 'version']);
  t.same(Object.keys(r.trainer).sort(), ['built', 'cuda', 'path', 'reason', 'torchVersion']);
  t.same(Object.keys(r.uses).sort(), ['decode', 'inference', 'notes', 'preprocessing']);
  t.equal(r.cpuAddon.loaded, true);
  const codecs = loadCpuAddon().buildInfo().codecs as Record<string, boolean>;
  for (const [name, native] of Object.entries(codecs)) t.equal(r.codecs[name], native ? 'native' : 'wasm', name);
  t.equal(r.nativeCodecs, Object.values(codecs).every(Boolean));
  // The JPEG 2000 decoder: Grok only where this (source) build linked it.
  const grok = loadCpuAddon().buildInfo().sourceOnlyCodecs?.grok;
  t.match(r.j2kDecoder, grok ? /^grok \(native, source build; AGPL-3\.0\)$/ : /^openjpeg \((native|wasm)\)$/, `j2kDecoder: ${r.j2kDecoder}`);
});

const noDriver = !detectDriver().present;
t.test('without a GPU: CUDA addon built, loadable, not used (no driver); TensorRT absent with a reason',
  { skip: noDriver && cudaAddonPath() ? false : 'this machine has an NVIDIA driver or no CUDA addon build' }, async (t) => {
    const r = JSON.parse((await doctor(['--json'])).out);
    t.match(r.cudaAddon, { built: true, loadable: true, loaded: false, reason: /no NVIDIA driver found/ });
    t.ok(r.cudaAddon.runtimeVersion >= 12000);
    t.same(r.gpus, []);
    t.equal(r.tensorrt.usable, false);
    t.equal(r.tensorrt.found, false);
    t.match(r.tensorrt.reason, /TensorRT not found: libnvinfer\.so\.10 could not be loaded/);
    t.equal(r.uses.preprocessing, 'cpu');
    t.ok(r.uses.notes.some((n: string) => /preprocessing on the CPU: no NVIDIA driver/.test(n)));
  });

t.test('doctor without --json prints one line per fact', async (t) => {
  const { code, out } = await doctor([]);
  t.equal(code, 0);
  for (const label of ['CPU addon:', 'codecs:', 'NVIDIA driver:', 'CUDA addon:', 'GPUs:', 'TensorRT:', 'ONNX Runtime:', 'libtorch:', 'uses:']) {
    t.match(out, new RegExp(`^${label}`, 'm'), label);
  }
});
