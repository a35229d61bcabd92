/**
 * Shapes shared by the benchmark harness, its two sides (rsna-mammo in a Node worker, the original's
 * algorithms in the Python peer `tools/peers/bench_peer.py`) and the result writers.
 */

/** Stage names; both sides implement the same ones (the peer's STAGES table). */
export type StageName =
  | 'decode'
  | 'detector_input'
  | 'otsu_roi'
  | 'classifier_input'
  | 'yolox'
  | 'ensemble'
  | 'e2e'
  | 'sweep';

/** One unit of work of a stage (one DICOM, one ensemble input, one sweep batch). */
export interface BenchItem {
  id: string;
  /** DICOM file for the stages that start from one. */
  dicom?: string;
  /** Sweep: the N files of the batch, and the worker count. */
  dicoms?: string[];
  workers?: number;
  /** Ensemble: seed and size of the deterministic synthetic uint8 input (golden/preprocess lowbias32). */
  seed?: number;
  height?: number;
  width?: number;
}

/** What a side is asked to run: written as JSON, read by the Node worker and the Python peer. */
export interface BenchJob {
  stage: StageName;
  threads: number;
  warmup: number;
  repeats: number;
  /** Where each side writes its per-item output arrays (for the same_output check). */
  out_dir: string;
  /** Converted models (ONNX) and other per-run caches. */
  cache_dir: string;
  models: { yolox?: string; folds?: string[]; onnx?: Record<string, string> };
  items: BenchItem[];
  /** rsna-mammo's decode rows: this compiled codec instead of the default (the prebuilt's libopenjp2 where Grok is built). */
  native_codec?: string;
}

/** Per item: wall times of the timed repeats and a digest of what was computed. */
export interface ItemResult {
  id: string;
  ms: number[];
  /** CPU time of the process (user + system, all threads) per timed repeat; absent from older peers. */
  cpu_ms?: number[];
  output: Record<string, unknown>;
}

/** What one side returns for one job. */
export interface SideResult {
  side: 'rsna_mammo' | 'python_original';
  stage: StageName;
  threads: number;
  items: ItemResult[];
  /** Peak RSS during the timed repeats (VmHWM reset before them), and the RSS before them. */
  peak_rss_kb: number;
  baseline_rss_kb: number | null;
  versions?: Record<string, unknown>;
}

/** How two sides' outputs are compared (tolerances from the goldens' noise notes). */
export type Comparator =
  | { kind: 'hash' }
  | { kind: 'box' }
  | { kind: 'f32'; tolerance: number }
  | { kind: 'u8'; minEqualFraction: number; maxDiff: number }
  | { kind: 'probs'; tolerance: number };

/** One row of the result: a stage on an input set at a thread count. */
export interface StageRow {
  stage: StageName;
  /** Human description of the input set, e.g. "RSNA J2K (.90), 9 real files". */
  input: string;
  threads: number;
  items: number;
  status: 'ok' | 'not available' | 'error';
  /** Why a row is not available or failed (which API is missing, the error line). */
  reason?: string;
  /** Mean over items of each item's median wall time (ms per item; per batch for sweeps). */
  rsna_mammo_ms: number | null;
  python_original_ms: number | null;
  /**
   * Median over the interleaved pairs (repeat r of ours, then repeat r of the original) of original ms ÷
   * ours ms: above 1 means rsna-mammo is faster. Null unless same_output.
   */
  ratio: number | null;
  /** How many pairs, their smallest and largest ratio, and the widest per-item (max − min) ÷ median. */
  ratio_pairs?: number;
  ratio_range?: [number, number] | null;
  ratio_spread?: number | null;
  /** The spread is above compare.ts WIDE_SPREAD: the ratio is not to be trusted (load moved during the row). */
  wide_spread?: boolean;
  /** Mean over items of the median CPU time (user + system, all threads) per repeat, and their ratio (original ÷ ours). */
  rsna_mammo_cpu_ms?: number | null;
  python_original_cpu_ms?: number | null;
  cpu_ratio?: number | null;
  /** 1-minute load average just before and just after the row's processes ran. */
  load_average?: [number, number];
  /** The CPUs both sides were pinned to (taskset -c), or null when not pinned. */
  cpus?: string | null;
  /** Achieved fp32 GFLOP/s of each side (model rows) and as a share of the core's measured FMA peak at this thread count. */
  gflops?: { flop: number; rsna_mammo: number | null; python_original: number | null; peak: number | null; rsna_mammo_share: number | null; python_original_share: number | null };
  same_output: boolean | null;
  /** What was compared and how far apart the sides were. */
  comparison?: string;
  rsna_mammo_peak_rss_mb: number | null;
  python_original_peak_rss_mb: number | null;
}

/** The whole run, written to tools/bench/results/<stamp>.json. */
export interface BenchResult {
  schema: 'rsna-mammo-bench/2';
  mode: 'quick' | 'full';
  started: string;
  finished: string;
  machine: {
    cpus: number;
    cpuModel: string;
    totalMemMb: number;
    node: string;
    platform: string;
    /** 1-minute load average at the start and at the end (other work on a shared machine skews times). */
    loadAverage: [number, number];
  };
  threadCounts: number[];
  /** The core's fp32 FMA peak (tools/bench/fma, accumulators in registers) per thread count, GFLOP/s. */
  fmaPeak?: { isa: string; gflops: Record<string, number> } | { unavailable: string };
  rows: StageRow[];
  peerVersions?: Record<string, unknown>;
  notes: string[];
}
