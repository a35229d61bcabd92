/**
 * `npm run bench:models`: a convnext_small-sized random checkpoint (≈50 M parameters, written by our
 * torch.save writer) → ONNX → ONNX Runtime (CPU) at 2048×1024, against PyTorch (Debian's
 * python3-torch, scripts/bench/convnext_torch_peer.py) on the same weights and input when present.
 * Each runtime runs in its own child process so peak RSS is its own. Writes a Markdown table and
 * JSON to bench/results/.
 *
 * Options: --runs N (timed runs after one warm-up, default 1), --threads N (default 1: on a shared
 * machine two runtimes' thread pools oversubscribe the cores; PyTorch gets OMP/OPENBLAS_NUM_THREADS too),
 * --size HxW (default 2048x1024), --keep (reuse the cached checkpoint/model in bench/.cache).
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { spawnSync } from 'child_process';
import { parseArgs } from 'util';
import { CONVNEXT_SMALL, convertClassifier, convnextStateDictShapes, makeRandomConvnextCheckpoint } from '../lib/models';
import { createSession } from '../lib/runtime';
import { resolveTsNode } from '../lib/util/startWorker';

interface RuntimeResult {
  runtime: string;
  threads: number;
  load_s: number;
  first_run_s: number;
  run_s: number;
  peak_rss_mb: number;
  params?: number;
}

const root = path.resolve(__dirname, '..');
const cache = path.join(root, 'bench', '.cache');

/** Peak resident memory of this process (VmHWM; unlike ru_maxrss it is not inherited across fork/exec). */
function peakRssMb(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : process.resourceUsage().maxRSS / 1024;
}

function readFloats(file: string): number[] {
  const b = fs.readFileSync(file);
  return Array.from({ length: b.length / 4 }, (_, i) => b.readFloatLE(i * 4));
}

/** ts-node's CLI (bin.js beside the module lib/runtime resolves). */
function tsNodeBin(): string {
  return path.join(path.dirname(resolveTsNode()), 'bin.js');
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Child-process mode: loads the ONNX model in ORT and times it (peak RSS is this process's). */
async function ortChild(model: string, input: string, dims: number[], runs: number, threads: number, out: string): Promise<void> {
  const t0 = performance.now();
  const session = await createSession(model, { backend: 'onnxruntime', threads });
  const loadS = (performance.now() - t0) / 1000;
  const data = Float32Array.from(readFloats(input));
  const times: number[] = [];
  let logits: Float32Array = new Float32Array(0);
  for (let i = 0; i < runs + 1; i++) {
    const t = performance.now();
    const res = await session.run({ input: { data, dims } });
    times.push((performance.now() - t) / 1000);
    logits = res.logits.data;
  }
  await session.dispose();
  fs.writeFileSync(out, Buffer.from(logits.buffer));
  const result: RuntimeResult = {
    runtime: `ONNX Runtime ${require('onnxruntime-node/package.json').version} (onnxruntime-node, CPU EP, worker thread)`,
    threads, load_s: loadS, first_run_s: times[0], run_s: median(times.slice(1)), peak_rss_mb: peakRssMb(),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function runChild(cmd: string, args: string[], threads: number): RuntimeResult | { error: string } {
  const env = { ...process.env, RSNA_MAMMO_QUIET: '1', OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads) };
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 24, env });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) return { error: (r.stderr || r.stdout || `exit ${r.status}`).trim().split('\n').slice(-3).join(' ') };
  return JSON.parse(line);
}

function pythonTorch(): string | undefined {
  const py = '/usr/bin/python3';
  return fs.existsSync(py) && spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0 ? py : undefined;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '1' }, threads: { type: 'string' }, size: { type: 'string', default: '2048x1024' },
      keep: { type: 'boolean' }, 'ort-child': { type: 'string' },
    },
  });
  const runs = Number(values.runs);
  const threads = Number(values.threads ?? 1);
  const [H, W] = values.size!.split('x').map(Number);
  const dims = [1, 3, H, W];
  if (values['ort-child']) {
    const [model, input, out] = values['ort-child'].split(',');
    await ortChild(model, input, dims, runs, threads, out);
    return;
  }
  fs.mkdirSync(cache, { recursive: true });
  const ckpt = path.join(cache, 'convnext_small_random.pth.tar');
  const onnx = path.join(cache, 'convnext_small_random.onnx');
  const input = path.join(cache, `input_${H}x${W}.bin`);
  const rows: string[] = [];
  const log = (s: string) => process.stdout.write(`${s}\n`);

  let t = performance.now();
  const reuse = values.keep && fs.existsSync(ckpt);
  if (!reuse) await makeRandomConvnextCheckpoint(ckpt, { ...CONVNEXT_SMALL, seed: 1, globalPool: 'max' });
  const writeS = (performance.now() - t) / 1000;
  const written = reuse ? 'reused from bench/.cache (--keep)' : `written by rsna-mammo's torch.save writer in ${writeS.toFixed(1)} s`;
  t = performance.now();
  const conv = await convertClassifier([ckpt], onnx);
  const convertS = (performance.now() - t) / 1000;
  const params = convnextStateDictShapes(conv.config).reduce((n, [, shape]) => n + shape.reduce((a, b) => a * b, 1), 0);
  log(`checkpoint ${(fs.statSync(ckpt).size / 2 ** 20).toFixed(0)} MiB ${written}; ONNX ${(fs.statSync(onnx).size / 2 ** 20).toFixed(0)} MiB converted in ${convertS.toFixed(1)} s`);
  // Normalised-looking input: seeded N(0,1)-ish noise (uniform sum), same file for both runtimes.
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const x = new Float32Array(3 * H * W);
  for (let i = 0; i < x.length; i++) x[i] = (rand() + rand() + rand() - 1.5) * 2;
  fs.writeFileSync(input, Buffer.from(x.buffer));

  const ortOut = path.join(cache, 'logits_ort.bin');
  const results: (RuntimeResult & { logits?: number[] })[] = [];
  const tsNode = tsNodeBin();
  log(`ONNX Runtime: ${runs} timed run(s) at ${H}x${W}, ${threads} threads ...`);
  const ort = runChild(process.execPath, [tsNode, '--transpile-only', __filename, '--ort-child', `${onnx},${input},${ortOut}`, '--runs', String(runs), '--threads', String(threads), '--size', values.size!], threads);
  if ('error' in ort) throw new Error(`ONNX Runtime run failed: ${ort.error}`);
  results.push({ ...ort, logits: readFloats(ortOut) });

  const py = pythonTorch();
  let agreement = 'n/a (python3-torch absent)';
  if (py) {
    log('PyTorch peer ...');
    const torchOut = path.join(cache, 'logits_torch.bin');
    const tr = runChild(py, [path.join(root, 'scripts', 'bench', 'convnext_torch_peer.py'), ckpt, input, dims.join(','), String(runs), String(threads), 'max', torchOut], threads);
    if ('error' in tr) agreement = `PyTorch failed: ${tr.error}`;
    else {
      const tl = readFloats(torchOut);
      results.push({ ...tr, logits: tl });
      const d = Math.max(...tl.map((v, i) => Math.abs(v - results[0].logits![i])));
      agreement = `max |logit ORT − logit PyTorch| = ${d.toExponential(2)} (PyTorch logit ${tl[0].toFixed(6)}, ORT ${results[0].logits![0].toFixed(6)})`;
    }
  }
  const fmt = (r: RuntimeResult) => `| ${r.runtime} | ${r.threads} | ${r.load_s.toFixed(2)} | ${r.first_run_s.toFixed(2)} | ${r.run_s.toFixed(2)} | ${r.peak_rss_mb.toFixed(0)} |`;
  rows.push(
    `# ConvNeXt-small-sized classifier on CPU, input 1×3×${H}×${W}`,
    '',
    `Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; Node ${process.version}; ${new Date().toISOString()}.`,
    `Model: random weights (UNTRAINED) in timm convnext_small layout (depths ${conv.config.depths}, dims ${conv.config.dims}, max pool, 1 class), ${Math.round(params / 1e5) / 10} M parameters;`,
    `checkpoint ${written}, converted to ONNX in ${convertS.toFixed(1)} s. Median of ${runs} timed run(s) after one warm-up; each runtime in its own process (peak RSS = that process's VmHWM).`,
    `Load average at the end: ${os.loadavg().map((v) => v.toFixed(1)).join(' ')} on ${os.cpus().length} cores (a shared machine makes single runs noisy).`,
    '',
    '| runtime | threads | load (s) | first run (s) | run (s) | peak RSS (MiB) |',
    '|---|---|---|---|---|---|',
    ...results.map(fmt),
    '',
    `Agreement: ${agreement}.`,
    '',
  );
  const table = rows.join('\n');
  log(`\n${table}`);
  const outDir = path.join(root, 'bench', 'results');
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'models.md'), table);
  fs.writeFileSync(path.join(outDir, 'models.json'), `${JSON.stringify({ size: [H, W], runs, threads, writeS, convertS, results, agreement }, null, 1)}\n`);
  log(`wrote bench/results/models.md and models.json`);
}

main().catch((err) => {
  process.stderr.write(`bench:models: ${(err as Error).message}\n`);
  process.exit(1);
});
