/**
 * Runs the jobs of a row (or a batch of rows) on both sides, each side in its own child process, so
 * that thread settings (which must be in the environment before the libraries start their pools) and
 * peak RSS belong to that side alone; the two processes take turns (lockstep.ts).
 * - rsna-mammo: `node worker.js JOB` (UV_THREADPOOL_SIZE, OMP_NUM_THREADS; ORT intra-op threads via job.threads)
 * - original:   `/usr/bin/python3 tools/peers/bench_peer.py --job JOB` (OMP/MKL/OpenBLAS threads; torch and cv2 via job.threads)
 */
import { spawn } from 'child_process';
import fs from 'fs';
import path from 'path';
import { packageRoot } from '../../../lib/util/packageRoot';
import { hasTaskset, pinned, pinnedCpus, runLockstep, SideCommand } from './lockstep';
import { BenchJob, SideResult } from './types';

/** The interpreter the peer runs with: Debian's, where the python3-* packages live. */
export const PEER_PYTHON = process.env.RSNA_MAMMO_BENCH_PYTHON ?? '/usr/bin/python3';
export const PEER_SCRIPT = path.join(packageRoot, 'tools', 'peers', 'bench_peer.py');

/** Environment that pins every thread pool either side may use to `threads`. */
export function threadEnv(threads: number): NodeJS.ProcessEnv {
  const n = String(threads);
  return {
    ...process.env,
    UV_THREADPOOL_SIZE: n,
    OMP_NUM_THREADS: n,
    MKL_NUM_THREADS: n,
    OPENBLAS_NUM_THREADS: n,
    RSNA_MAMMO_THREADS: n,
  };
}

function runChild(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve(out);
      const last = err.trim().split('\n').filter(Boolean).slice(-1)[0] ?? '';
      reject(new Error(`${path.basename(cmd)} exited ${signal ? `on ${signal} (timeout ${timeoutMs / 1000} s?)` : code}: ${last}`));
    });
  });
}

/** What a side answers per job: a result, why the stage is not available, or the job's error. */
export type JobAnswer = SideResult | { unavailable: string } | { error: string };

/** The result lines of a batch, in job order (a missing line becomes that job's error). */
const NO_LINE = 'the side printed no result line';
function resultLines(stdout: string, jobs: BenchJob[]): JobAnswer[] {
  const lines = stdout.split('\n').filter((l) => l.startsWith('{'));
  return jobs.map((_, i) => (lines[i] ? (JSON.parse(lines[i]) as JobAnswer) : { error: NO_LINE }));
}

function writeJobs(jobs: BenchJob[], side: string, dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const stages = jobs.length === 1 ? jobs[0].stage : `batch${jobs.length}`;
  const file = path.join(dir, `job-${side}-${stages}-${jobs[0].threads}t-${process.pid}-${Date.now()}.json`);
  fs.writeFileSync(file, JSON.stringify(jobs));
  return file;
}

/** Profile output name of a batch (its first stage and thread count). */
const profileName = (jobs: BenchJob[]): string => `${jobs.length === 1 ? jobs[0].stage : 'batch'}-${jobs[0].threads}t`;

/** The Python peer's command for a batch of jobs (same thread count), under cProfile with `profileDir`. */
export function peerCommand(jobs: BenchJob[], jobDir: string, profileDir?: string): SideCommand {
  const file = writeJobs(jobs, 'peer', jobDir);
  const prof = profileDir ? ['-m', 'cProfile', '-o', path.join(profileDir, `${profileName(jobs)}.pstats`)] : [];
  return { cmd: PEER_PYTHON, args: [...prof, PEER_SCRIPT, '--job', file], env: threadEnv(jobs[0].threads) };
}

/**
 * rsna-mammo's command for a batch of jobs: one worker process (worker.js next to this file; ts-node's
 * hooks are inherited under tests), with `node --cpu-prof` when `profileDir` is set.
 */
export function oursCommand(jobs: BenchJob[], jobDir: string, profileDir?: string): SideCommand {
  const file = writeJobs(jobs, 'ours', jobDir);
  const worker = path.join(__dirname, `worker${path.extname(__filename)}`);
  const prof = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${profileName(jobs)}.cpuprofile`] : [];
  return { cmd: process.execPath, args: [...process.execArgv, ...prof, worker, file], env: threadEnv(jobs[0].threads) };
}

/**
 * Runs both sides of a batch interleaved (lockstep.ts), pinned to the same CPUs; answers per job, in
 * job order, for each side (an Error when that side's process failed before answering).
 */
export async function runBothSides(ours: BenchJob[], peer: BenchJob[] | string, jobDir: string, timeoutMs: number, profileDir?: string):
  Promise<{ ours: Array<JobAnswer | Error>; peer: Array<JobAnswer | Error>; cpus: string | null }> {
  const cpus = hasTaskset() ? pinnedCpus(ours[0].threads) : null;
  const pin = (c: SideCommand): SideCommand => (cpus ? pinned(c, cpus) : c);
  const a = pin(oursCommand(ours, jobDir, profileDir && path.join(profileDir, 'rsna-mammo')));
  const answers = (lines: string[], err: Error | undefined, jobs: BenchJob[]): Array<JobAnswer | Error> =>
    resultLines(lines.join('\n'), jobs).map((r) => (err && 'error' in r && r.error === NO_LINE ? err : r));
  if (typeof peer === 'string') {
    // No peer: ours alone.
    const out = await runLockstep([a], timeoutMs);
    return { ours: answers(out.lines[0], out.errors[0], ours), peer: ours.map(() => ({ unavailable: peer })), cpus };
  }
  const b = pin(peerCommand(peer, jobDir, profileDir && path.join(profileDir, 'python')));
  const out = await runLockstep([a, b], timeoutMs);
  return { ours: answers(out.lines[0], out.errors[0], ours), peer: answers(out.lines[1], out.errors[1], peer), cpus };
}

/** Why the peer cannot run here (missing interpreter or packages), or undefined. */
export async function peerUnavailable(): Promise<string | undefined> {
  try {
    await runChild(PEER_PYTHON, ['-c', 'import numpy, cv2, torch, pydicom, gdcm'], process.env, 120_000);
    return undefined;
  } catch (e) {
    return `Python peer not runnable (${PEER_PYTHON}: ${(e as Error).message}); run \`bash scripts/install-system-deps.sh --bench\``;
  }
}
