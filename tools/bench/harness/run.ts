/**
 * The benchmark run: prepares the inputs (real DICOMs, cached synthetic files, random-weight models),
 * runs every planned row on both sides at each thread count (each side in its own child process),
 * checks that both computed the same thing, and writes JSON + Markdown + SVG under tools/bench/results/.
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { libApi } from './api';
import { compareSides, pairStats, ratio, rowCpuMs, rowMs } from './compare';
import { EnsembleSpec, Mode, PlannedRow, SYNTHETIC_SIZES, realFiles, threadCounts } from './plan';
import { convnextFlop, measureFmaPeak } from './fma';
import { writeResults } from './report';
import { planRows } from './rows';
import { JobAnswer, peerUnavailable, runBothSides } from './sides';
import { encoderAvailable, syntheticDicom, SyntheticFile } from './synthetic';
import { BenchJob, BenchResult, SideResult, StageName, StageRow } from './types';

export interface BenchOptions {
  mode: Mode;
  /** ../shared (real DICOMs, golden YOLOX checkpoint). */
  sharedDir: string;
  /** Where results go (tools/bench/results). */
  outDir: string;
  /** Synthetic files, random checkpoints, per-job outputs (tools/bench/results/tmp). */
  cacheDir: string;
  /** Only these stages (all when empty). */
  stages?: StageName[];
  /** Thread counts (default 1 and all cores). */
  threads?: number[];
  /** Per side and job. */
  timeoutS?: number;
  /** Writes `node --cpu-prof` and Python cProfile profiles of every job here. */
  profileDir?: string;
  /** One process per row and side (cleaner peak RSS; default in full mode) instead of one per thread count. */
  oneProcessPerRow?: boolean;
  log?: (line: string) => void;
}

interface ModelSet {
  yolox?: string;
  folds?: string[];
  reason?: string;
}

interface ModelsApi {
  makeRandomConvnextCheckpoint(file: string, options: { depths: number[]; dims: number[]; seed: number; globalPool: 'max' }): Promise<unknown> | unknown;
}

/** Random-weight fold checkpoints of `spec`, made once by lib/models and cached. */
async function ensembleCheckpoints(spec: EnsembleSpec, cacheDir: string): Promise<string[] | string> {
  const api = libApi<ModelsApi>('models', ['makeRandomConvnextCheckpoint']);
  if (typeof api === 'string') return api;
  const dir = path.join(cacheDir, 'models', spec.name);
  fs.mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (let k = 0; k < spec.folds; k++) {
    const file = path.join(dir, `best_convnext_fold_${k}.pth.tar`);
    if (!fs.existsSync(file)) {
      await api.makeRandomConvnextCheckpoint(`${file}.part`, { depths: spec.depths, dims: spec.dims, seed: 1000 + k, globalPool: 'max' });
      fs.renameSync(`${file}.part`, file);
    }
    files.push(file);
  }
  return files;
}

function synthetic(mode: Mode, cacheDir: string, log: (l: string) => void): { j2k: SyntheticFile[]; jll: SyntheticFile[]; sweepPool: SyntheticFile[] } {
  const dir = path.join(cacheDir, 'synthetic');
  const out = { j2k: [] as SyntheticFile[], jll: [] as SyntheticFile[], sweepPool: [] as SyntheticFile[] };
  for (const [rows, cols] of SYNTHETIC_SIZES[mode]) {
    for (const syntax of ['j2k', 'jll'] as const) {
      log(`synthetic ${rows}x${cols} ${syntax}`);
      out[syntax].push(syntheticDicom(dir, rows, cols, 1, syntax));
    }
  }
  const [sr, sc] = mode === 'quick' ? [1101, 873] : [3328, 2560];
  for (let seed = 2; seed < 6; seed++) out.sweepPool.push(syntheticDicom(dir, sr, sc, seed, 'j2k'));
  return out;
}

function mb(kb: number | undefined | null): number | null {
  return kb ? Math.round(kb / 102.4) / 10 : null;
}

function emptyRow(p: PlannedRow, threads: number, status: StageRow['status'], reason?: string): StageRow {
  return {
    stage: p.stage,
    input: p.input,
    threads,
    items: p.items.length,
    status,
    reason,
    rsna_mammo_ms: null,
    python_original_ms: null,
    ratio: null,
    same_output: null,
    rsna_mammo_peak_rss_mb: null,
    python_original_peak_rss_mb: null,
  };
}

/** The job of planned row `p` at `threads` for one side (its outputs go to `<outBase>/<side>`). */
function buildJob(p: PlannedRow, threads: number, side: 'ours' | 'peer', models: ModelSet, outBase: string, cacheDir: string): BenchJob {
  return {
    stage: p.stage,
    threads,
    warmup: p.warmup,
    repeats: p.repeats,
    out_dir: path.join(outBase, side),
    cache_dir: cacheDir,
    models: { yolox: models.yolox, folds: models.folds },
    items: p.items,
    ...(p.nativeCodec && side === 'ours' ? { native_codec: p.nativeCodec } : {}),
  };
}

const outBaseOf = (p: PlannedRow, threads: number, jobDir: string): string =>
  path.join(jobDir, `${p.stage}-${p.items[0]?.id ?? 'none'}${p.nativeCodec ? `-${p.nativeCodec}` : ''}-${threads}t`);

/** Fills the row of `p` at `threads` from the two sides' answers (an Error = the side's process failed). */
function assembleRow(p: PlannedRow, threads: number, ours: JobAnswer | Error, peer: JobAnswer | Error, outBase: string): StageRow {
  const row = emptyRow(p, threads, 'ok');
  const reasons: string[] = [];
  let failed = false;
  const take = (a: JobAnswer | Error, who: string): SideResult | undefined => {
    if (a instanceof Error || 'error' in a) {
      failed = true;
      reasons.push(`${who} failed: ${a instanceof Error ? a.message : a.error}`);
      return undefined;
    }
    if ('unavailable' in a) {
      reasons.push(a.unavailable);
      return undefined;
    }
    return a;
  };
  const o = take(ours, 'rsna-mammo');
  const q = take(peer, 'peer');
  if (o) {
    row.rsna_mammo_ms = rowMs(o.items);
    row.rsna_mammo_peak_rss_mb = mb(o.peak_rss_kb);
  }
  if (q) {
    row.python_original_ms = rowMs(q.items);
    row.python_original_peak_rss_mb = mb(q.peak_rss_kb);
  }
  if (o && q) {
    const v = compareSides(p.comparator, o, q, { ours: path.join(outBase, 'ours'), peer: path.join(outBase, 'peer') });
    row.same_output = v.same;
    row.comparison = v.detail;
    const pairs = pairStats(o.items, q.items);
    if (pairs) {
      row.ratio_pairs = pairs.pairs;
      row.ratio_range = [pairs.min, pairs.max];
      row.ratio_spread = pairs.spread;
      row.wide_spread = pairs.wide;
    }
    // Speed is compared only when both computed the same thing.
    row.ratio = v.same && pairs ? pairs.median : null;
    row.rsna_mammo_cpu_ms = rowCpuMs(o.items);
    row.python_original_cpu_ms = rowCpuMs(q.items);
    // The sweep's pool workers are other processes on both sides: their CPU time is not in these numbers.
    row.cpu_ratio = v.same && p.stage !== 'sweep' ? ratio(row.python_original_cpu_ms, row.rsna_mammo_cpu_ms) : null;
  } else {
    row.status = failed ? 'error' : 'not available';
    row.reason = reasons.join('; ');
  }
  return row;
}

interface Planned {
  p: PlannedRow;
  threads: number;
  models: ModelSet;
}

/** Runs planned rows (all at one thread count) as one batch per side, or one process per row. */
async function measureRows(batch: Planned[], ctx: { peerReason?: string; jobDir: string; cacheDir: string; timeoutMs: number;
  profileDir?: string; oneProcessPerRow: boolean; log: (line: string) => void }): Promise<StageRow[]> {
  const runnable = batch.filter((b) => !(needsModels(b.p.stage) && b.models.reason));
  const groups = ctx.oneProcessPerRow ? runnable.map((b) => [b]) : runnable.length ? [runnable] : [];
  const answers = new Map<Planned, [JobAnswer | Error, JobAnswer | Error]>();
  const context = new Map<Planned, { load: [number, number]; cpus: string | null }>();
  for (const group of groups) {
    const jobs = (side: 'ours' | 'peer'): BenchJob[] =>
      group.map((b) => buildJob(b.p, b.threads, side, b.models, outBaseOf(b.p, b.threads, ctx.jobDir), ctx.cacheDir));
    const timeout = ctx.timeoutMs * group.length * 2;
    const before = load1();
    const both = await runBothSides(jobs('ours'), ctx.peerReason ?? jobs('peer'), ctx.jobDir, timeout, ctx.profileDir).catch((e: Error) => ({
      ours: group.map(() => e), peer: group.map(() => e), cpus: null,
    }));
    const load: [number, number] = [before, load1()];
    group.forEach((b, i) => {
      answers.set(b, [both.ours[i], both.peer[i]]);
      context.set(b, { load, cpus: both.cpus });
    });
    if (ctx.oneProcessPerRow) ctx.log(`measured ${group[0].p.stage} | ${group[0].p.input} | ${group[0].threads}t | load ${load[0]} → ${load[1]}`);
  }
  return batch.map((b) => {
    const a = answers.get(b);
    if (!a) return emptyRow(b.p, b.threads, 'not available', b.models.reason);
    const row = assembleRow(b.p, b.threads, a[0], a[1], outBaseOf(b.p, b.threads, ctx.jobDir));
    const c = context.get(b);
    if (c) {
      row.load_average = c.load;
      row.cpus = c.cpus;
    }
    return row;
  });
}

/** The ensemble row's achieved GFLOP/s per side and as a share of the FMA peak at its thread count. */
function addGflops(row: StageRow, p: PlannedRow, peak: BenchResult['fmaPeak']): void {
  if (row.stage !== 'ensemble' || !p.ensemble || !p.items[0]) return;
  const flop = convnextFlop(p.ensemble, p.items[0].height ?? 2048, p.items[0].width ?? 1024);
  const at = peak && 'gflops' in peak ? peak.gflops[String(row.threads)] ?? null : null;
  const rate = (ms: number | null): number | null => (ms && ms > 0 ? flop / (ms / 1000) / 1e9 : null);
  const share = (g: number | null): number | null => (g !== null && at ? g / at : null);
  const [o, q] = [rate(row.rsna_mammo_ms), rate(row.python_original_ms)];
  row.gflops = { flop, rsna_mammo: o, python_original: q, peak: at, rsna_mammo_share: share(o), python_original_share: share(q) };
}

/** The JPEG 2000 codecs of this build, the one decodeFrame's auto uses first ([] without the addon). */
function j2kCodecs(): string[] {
  const d = libApi<{ nativeCodecs(): Set<string>; nativeCodecFor(f: string): string | undefined }>('dicom', ['nativeCodecs', 'nativeCodecFor']);
  if (typeof d === 'string') return [];
  try {
    const first = d.nativeCodecFor('jpeg2000');
    return first ? [first, ...['grok', 'openjpeg'].filter((c) => c !== first && d.nativeCodecs().has(c))] : [];
  } catch {
    return [];
  }
}

const load1 = (): number => Math.round(os.loadavg()[0] * 100) / 100;

const needsModels = (stage: StageName): boolean => stage === 'yolox' || stage === 'ensemble' || stage === 'e2e';

function machine(loadAtStart: number): BenchResult['machine'] {
  const cpus = os.cpus();
  return {
    cpus: os.availableParallelism ? os.availableParallelism() : cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    totalMemMb: Math.round(os.totalmem() / 1048576),
    node: process.version,
    platform: `${os.platform()}-${os.arch()}`,
    loadAverage: [loadAtStart, load1()],
  };
}

/** Runs the whole benchmark; resolves to the result and the files written. */
export async function runBench(opts: BenchOptions): Promise<{ result: BenchResult; files: { json: string; md: string; svg: string } }> {
  const log = opts.log ?? (() => undefined);
  const started = new Date().toISOString();
  const loadAtStart = load1();
  const threads = opts.threads?.length ? opts.threads : threadCounts();
  const timeoutMs = (opts.timeoutS ?? (opts.mode === 'quick' ? 120 : 1800)) * 1000;
  const jobDir = path.join(opts.cacheDir, 'jobs', started.replace(/[:.]/g, '-'));
  const notes: string[] = [];
  if (opts.profileDir) for (const side of ['rsna-mammo', 'python']) fs.mkdirSync(path.join(opts.profileDir, side), { recursive: true });

  const peerReason = await peerUnavailable();
  if (peerReason) notes.push(peerReason);
  const encoderReason = encoderAvailable();
  if (encoderReason) notes.push(`synthetic inputs skipped: ${encoderReason}`);
  const syn = encoderReason ? { j2k: [], jll: [], sweepPool: [] } : synthetic(opts.mode, opts.cacheDir, log);
  const real = realFiles(opts.sharedDir);
  if (!real.length) notes.push(`no real DICOMs: ${path.join(opts.sharedDir, 'data', 'dicom')} is absent`);

  const planned = planRows(opts.mode, { real, synthetic: syn, sweepPool: syn.sweepPool, allThreads: Math.max(...threads), j2kCodecs: j2kCodecs() })
    .filter((r) => !opts.stages?.length || opts.stages.includes(r.stage));
  const yolox = path.join(opts.sharedDir, 'golden', 'yolox', 'yolox_nano_416_roi_torch.pth');
  const modelSets = new Map<string, ModelSet>();
  const modelsFor = async (p: PlannedRow): Promise<ModelSet> => {
    const key = p.ensemble?.name ?? '-';
    if (!modelSets.has(key)) {
      const set: ModelSet = fs.existsSync(yolox) ? { yolox } : { reason: `no YOLOX checkpoint at ${yolox}` };
      if (p.ensemble && !set.reason) {
        log(`random ${p.ensemble.name} checkpoints`);
        const folds = await ensembleCheckpoints(p.ensemble, opts.cacheDir).catch((e: Error) => `random checkpoints failed: ${e.message}`);
        if (typeof folds === 'string') set.reason = folds;
        else set.folds = folds;
      }
      modelSets.set(key, set);
    }
    return modelSets.get(key) as ModelSet;
  };

  // The core's FMA peak, measured before and after the rows (the larger: load only lowers it).
  const peakBefore = planned.some((p) => p.stage === 'ensemble') ? measureFmaPeak(threads, opts.cacheDir) : undefined;
  if (peakBefore && 'gflops' in peakBefore) log(`fp32 FMA peak (${peakBefore.isa}): ${Object.entries(peakBefore.gflops).map(([t, g]) => `${g} GFLOP/s at ${t}t`).join(', ')}`);
  const rows: StageRow[] = [];
  const oneProcessPerRow = opts.oneProcessPerRow ?? opts.mode === 'full';
  const ctx = { peerReason, jobDir, cacheDir: opts.cacheDir, timeoutMs, profileDir: opts.profileDir, oneProcessPerRow, log };
  const plannedWithModels: Array<{ p: PlannedRow; models: ModelSet }> = [];
  for (const p of planned) plannedWithModels.push({ p, models: await modelsFor(p) });
  for (const t of threads) {
    const batch = plannedWithModels.filter(({ p }) => (p.threads ?? threads).includes(t)).map(({ p, models }) => ({ p, threads: t, models }));
    const t0 = Date.now();
    log(`${batch.length} rows at ${t} thread${t === 1 ? '' : 's'}${oneProcessPerRow ? ' (one process per row and side)' : ' (one process per side)'}`);
    for (const row of await measureRows(batch, ctx)) {
      rows.push(row);
      log(`${row.stage} | ${row.input} | ${t}t | ours ${row.rsna_mammo_ms?.toFixed(1) ?? '—'} ms | orig ${row.python_original_ms?.toFixed(1) ?? '—'} ms | ` +
        `ratio ${row.ratio?.toFixed(2) ?? '—'}${row.wide_spread ? ' (wide)' : ''} | cpu ratio ${row.cpu_ratio?.toFixed(2) ?? '—'} | same ${row.same_output ?? row.status}`);
    }
    log(`${t} thread${t === 1 ? '' : 's'} done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
  let fmaPeak = peakBefore;
  if (peakBefore && 'gflops' in peakBefore) {
    const after = measureFmaPeak(threads, opts.cacheDir);
    if ('gflops' in after) for (const t of Object.keys(after.gflops)) after.gflops[t] = Math.max(after.gflops[t], peakBefore.gflops[t] ?? 0);
    fmaPeak = after;
  }
  for (const row of rows) {
    const p = planned.find((x) => x.stage === row.stage && x.input === row.input);
    if (p) addGflops(row, p, fmaPeak);
  }
  rows.sort((a, b) => {
    const ia = planned.findIndex((p) => p.stage === a.stage && p.input === a.input);
    const ib = planned.findIndex((p) => p.stage === b.stage && p.input === b.input);
    return ia - ib || a.threads - b.threads;
  });
  notes.push(
    'The original is run as written from docs/ALGORITHMS.md by tools/peers/bench_peer.py (Debian python3-torch/-opencv/-numpy/-pydicom/-gdcm; ' +
      'pydicom+GDCM decode stands in for dicomsdl). Its e2e includes the PNG write/read of §3.1.4–3.1.5, as the original did.',
    'ratio is reported only when same_output is true. The two sides of a row run interleaved (tools/bench/harness/lockstep.ts): ' +
      'each stops before each item and each timed repeat, and only one runs at a time, A B A B; ratio is the median over those pairs.',
    'Peak RSS is per side process (VmHWM reset before the timed repeats); the peer\'s sweep pool workers are separate processes and not counted.',
    oneProcessPerRow ? 'Each row ran in its own process per side.' : 'All rows of one thread count ran in one process per side (models loaded once); peak RSS includes what earlier rows left allocated.',
  );
  const result: BenchResult = {
    schema: 'rsna-mammo-bench/2',
    mode: opts.mode,
    started,
    finished: new Date().toISOString(),
    machine: machine(loadAtStart),
    threadCounts: threads,
    fmaPeak,
    rows,
    notes,
  };
  return { result, files: writeResults(result, opts.outDir) };
}
