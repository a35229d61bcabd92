/**
 * Probes of optional runtimes for `rsna-mammo doctor` that need no GPU: ONNX Runtime (npm package)
 * and libtorch (shared library on disk, for the trainers). None of them throws.
 */
import fs from 'fs';
import path from 'path';

/** ONNX Runtime as seen from this package. */
export interface OnnxRuntimeProbe {
  found: boolean;
  version: string | null;
  /** Execution providers that can load: bundled, or whose provider library was installed (e.g. ["cpu"], ["cpu","cuda"]). */
  providers: string[];
  /** Providers this onnxruntime-node build knows but whose binaries were not installed (ONNXRUNTIME_NODE_INSTALL=skip). */
  providersNotInstalled: string[];
  reason: string | null;
}

/** libtorch as seen on this machine. */
export interface LibtorchProbe {
  found: boolean;
  path: string | null;
  version: string | null;
  reason: string | null;
}

/** Finds onnxruntime-node, its version and providers (loads it only to list providers). */
export function probeOnnxRuntime(requireFn: NodeRequire = require): OnnxRuntimeProbe {
  let version: string | null = null;
  try {
    version = (requireFn('onnxruntime-node/package.json') as { version: string }).version;
  } catch {
    return { found: false, version: null, providers: [], providersNotInstalled: [], reason: 'onnxruntime-node is not installed' };
  }
  try {
    const ort = requireFn('onnxruntime-node') as { listSupportedBackends?: () => { name: string; bundled?: boolean }[] };
    const listed = typeof ort.listSupportedBackends === 'function' ? ort.listSupportedBackends() : [{ name: 'cpu', bundled: true }];
    const binDir = onnxRuntimeBinDir(requireFn);
    const loadable = (b: { name: string; bundled?: boolean }): boolean =>
      b.bundled !== false || (binDir !== undefined && fs.existsSync(path.join(binDir, `libonnxruntime_providers_${b.name}.so`)));
    return {
      found: true,
      version,
      providers: listed.filter(loadable).map((b) => b.name),
      providersNotInstalled: listed.filter((b) => !loadable(b)).map((b) => b.name),
      reason: null,
    };
  } catch (err) {
    const first = String((err as Error).message).split('\n')[0];
    return { found: false, version, providers: [], providersNotInstalled: [], reason: `onnxruntime-node ${version} does not load: ${first}` };
  }
}

/** Folder of onnxruntime-node's binding for this platform, where its install step puts provider libraries. */
function onnxRuntimeBinDir(requireFn: NodeRequire): string | undefined {
  try {
    const root = path.dirname(requireFn.resolve('onnxruntime-node/package.json'));
    const dir = path.join(root, 'bin', 'napi-v6', process.platform, process.arch);
    return fs.existsSync(dir) ? dir : undefined;
  } catch {
    return undefined;
  }
}

function libtorchCandidates(env: NodeJS.ProcessEnv): string[] {
  const dirs: string[] = [];
  for (const root of [env.LIBTORCH, env.LIBTORCH_PATH, env.Torch_DIR && path.resolve(env.Torch_DIR, '../../..')]) {
    if (root) dirs.push(path.join(root, 'lib'));
  }
  dirs.push('/usr/local/libtorch/lib', '/opt/libtorch/lib', '/usr/lib/x86_64-linux-gnu', '/usr/lib64',
    '/usr/lib/python3/dist-packages/torch/lib');
  for (const base of ['/usr/local/lib', '/usr/lib']) {
    let entries: string[] = [];
    try {
      entries = fs.readdirSync(base).filter((e) => /^python3(\.\d+)?$/.test(e));
    } catch {
      // no such folder
    }
    for (const e of entries) dirs.push(path.join(base, e, 'dist-packages/torch/lib'), path.join(base, e, 'site-packages/torch/lib'));
  }
  return dirs;
}

function libtorchVersion(dir: string, file: string): string | null {
  const m = /libtorch\.so\.(\d+\.\d+(\.\d+)?)/.exec(file);
  if (m) return m[1];
  for (const f of [path.join(dir, '..', 'build-version'), path.join(dir, '..', 'version.py')]) {
    try {
      const text = fs.readFileSync(f, 'utf8');
      const v = /(\d+\.\d+\.\d+[^'"\s]*)/.exec(text);
      if (v) return v[1];
    } catch {
      // not there
    }
  }
  return null;
}

/** Finds libtorch.so in $LIBTORCH, the usual install folders and Python's torch package. */
export function probeLibtorch(env: NodeJS.ProcessEnv = process.env): LibtorchProbe {
  for (const dir of libtorchCandidates(env)) {
    let names: string[];
    try {
      names = fs.readdirSync(dir).filter((n) => /^libtorch\.so(\.|$)/.test(n)).sort();
    } catch {
      continue;
    }
    if (names.length === 0) continue;
    const file = names.find((n) => /\.so\.\d/.test(n)) ?? names[0];
    return { found: true, path: path.join(dir, file), version: libtorchVersion(dir, names[names.length - 1]), reason: null };
  }
  return { found: false, path: null, version: null, reason: 'libtorch.so not found (set LIBTORCH to a libtorch folder)' };
}
