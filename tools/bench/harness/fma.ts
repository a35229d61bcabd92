/**
 * The physical limit the model rows are measured against: the core's fp32 FMA peak (tools/bench/fma,
 * a small C kernel compiled here with the system compiler, never shipped) at each thread count, and
 * the FLOP count of a ConvNeXt forward pass, so a row can say how much of the peak it reaches.
 */
import { spawnSync } from 'child_process';
import fs from 'fs';
import path from 'path';
import { packageRoot } from '../../../lib/util/packageRoot';
import { hasTaskset, pinnedCpus } from './lockstep';
import { EnsembleSpec } from './plan';
import { BenchResult } from './types';

const SOURCE = path.join(packageRoot, 'tools', 'bench', 'fma', 'fma_peak.c');

/** Compiles the kernel into `cacheDir` (once per source change) and runs it at each thread count, pinned like the rows. */
export function measureFmaPeak(threadCounts: number[], cacheDir: string): NonNullable<BenchResult['fmaPeak']> {
  const bin = path.join(cacheDir, 'fma', 'fma_peak');
  fs.mkdirSync(path.dirname(bin), { recursive: true });
  if (!fs.existsSync(bin) || fs.statSync(bin).mtimeMs < fs.statSync(SOURCE).mtimeMs) {
    const cc = process.env.CC ?? 'cc';
    const r = spawnSync(cc, ['-O2', '-pthread', SOURCE, '-o', bin], { encoding: 'utf8' });
    if (r.status !== 0) return { unavailable: `${cc} could not compile ${path.relative(packageRoot, SOURCE)}: ${(r.stderr || String(r.error)).trim().split('\n')[0]}` };
  }
  const gflops: Record<string, number> = {};
  let isa = '';
  for (const t of threadCounts) {
    const cmd = hasTaskset() ? ['taskset', '-c', pinnedCpus(t), bin, String(t)] : [bin, String(t)];
    const r = spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8', timeout: 60_000 });
    const out = JSON.parse(r.stdout.trim() || '{"unavailable":"no output"}') as { isa?: string; gflops?: number; unavailable?: string };
    if (out.unavailable || !out.gflops) return { unavailable: out.unavailable ?? `fma_peak exited ${r.status}` };
    gflops[String(t)] = out.gflops;
    isa = out.isa ?? '';
  }
  return { isa, gflops };
}

/**
 * FLOPs (2 per multiply-add) of one ConvNeXt forward pass per fold at h×w (docs/ALGORITHMS.md §4.2):
 * the 4×4/4 stem, per block a 7×7 depthwise conv and the two pointwise layers (C→4C→C), the 2×2/2
 * downsampling convs; LayerNorm, GELU, pooling and the head are a rounding error and left out.
 */
export function convnextFlop(spec: EnsembleSpec, h: number, w: number): number {
  let macs = 0;
  let sh = Math.floor(h / 4);
  let sw = Math.floor(w / 4);
  macs += sh * sw * spec.dims[0] * 3 * 16; // stem
  spec.depths.forEach((depth, i) => {
    const c = spec.dims[i];
    if (i > 0) {
      sh = Math.floor(sh / 2);
      sw = Math.floor(sw / 2);
      macs += sh * sw * c * spec.dims[i - 1] * 4; // downsample
    }
    macs += depth * sh * sw * (49 * c + 8 * c * c);
  });
  return 2 * macs * spec.folds;
}
