/**
 * Data-parallel launch of a native trainer subcommand, as torchrun does: N local ranks per machine,
 * each a child process with RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT
 * set; the ranks meet through the c10d TCPStore that global rank 0 hosts (native/train/common/distributed.h).
 * On several machines the same command runs on each with --nnodes, --node-rank and the same
 * --master-addr/--master-port. A failing rank stops its siblings; global rank 0's events are returned.
 */
import net from 'net';
import { RsnaMammoError, invalidArgument } from '../errors';
import { runTrainExecutable, RunTrainOptions, TrainEvent } from './executable';

export interface DistOptions {
  /** Ranks on this machine. */
  nproc: number;
  nnodes: number;
  nodeRank: number;
  masterAddr: string;
  /** Undefined on a single machine: a free port on 127.0.0.1 is taken. */
  masterPort?: number;
}

/** parseArgs option specs shared by the commands that accept the launcher's flags. */
export const DIST_CLI_OPTIONS = {
  nproc: { type: 'string' },
  nnodes: { type: 'string' },
  'node-rank': { type: 'string' },
  'master-addr': { type: 'string' },
  'master-port': { type: 'string' },
} as const;

export const DIST_CLI_USAGE = [
  'Data parallelism (c10d: Gloo on CPU, NCCL on CUDA): --nproc N ranks on this machine; on several machines run',
  'the same command on each with --nnodes M --node-rank R --master-addr HOST --master-port PORT (rank 0 on node 0',
  'hosts the rendezvous and alone writes outputs). The global batch is split across ranks, so results equal one process.',
].join('\n');

function intOpt(name: string, v: string | undefined, lo: number, hi: number, fallback?: number): number {
  if (v === undefined) {
    if (fallback === undefined) throw invalidArgument(name, `an integer in [${lo}, ${hi}]`, v);
    return fallback;
  }
  const x = Number(v);
  if (!Number.isInteger(x) || x < lo || x > hi) throw invalidArgument(name, `an integer in [${lo}, ${hi}]`, v);
  return x;
}

/** The launcher options from parsed CLI values; null when none is given (one plain process). */
export function distFromCli(values: Record<string, unknown>): DistOptions | null {
  const s = (k: string) => values[k] as string | undefined;
  if (['nproc', 'nnodes', 'node-rank', 'master-addr', 'master-port'].every((k) => s(k) === undefined)) return null;
  const nnodes = intOpt('--nnodes', s('nnodes'), 1, 4096, 1);
  const o: DistOptions = {
    nproc: intOpt('--nproc', s('nproc'), 1, 1024, 1),
    nnodes,
    nodeRank: intOpt('--node-rank', s('node-rank'), 0, nnodes - 1, 0),
    masterAddr: s('master-addr') ?? '127.0.0.1',
    masterPort: s('master-port') === undefined ? undefined : intOpt('--master-port', s('master-port'), 1, 65535),
  };
  if (nnodes > 1 && (o.masterPort === undefined || s('master-addr') === undefined)) {
    throw new RsnaMammoError('ERR_INVALID_ARGUMENT', '--nnodes > 1 needs --master-addr and --master-port (the same on every machine)');
  }
  return o;
}

/** Whether this machine hosts global rank 0 (the one that writes outputs). */
export function isMainNode(o: DistOptions | null | undefined): boolean {
  return !o || o.nodeRank === 0;
}

/** A TCP port free on `host` right now. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** torchrun's variables for local rank `local`. */
export function rankEnv(o: DistOptions, port: number, local: number, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...base,
    RANK: String(o.nodeRank * o.nproc + local),
    WORLD_SIZE: String(o.nnodes * o.nproc),
    LOCAL_RANK: String(local),
    LOCAL_WORLD_SIZE: String(o.nproc),
    GROUP_RANK: String(o.nodeRank),
    MASTER_ADDR: o.masterAddr,
    MASTER_PORT: String(port),
  };
}

/** Events every rank reports about its own shard (the others come from local rank 0 only). */
const PER_RANK_EVENTS = new Set(['skipped', 'warning']);

/**
 * Runs `subcommand args` on every local rank (the subcommand must accept `distFlag`, e.g. --dist);
 * resolves with local rank 0's events once all ranks exit 0. `signal` stops every rank (with
 * `killSignal`); a failing rank stops its siblings.
 */
export async function runDistributed(subcommand: string, args: string[], o: DistOptions, options: RunTrainOptions & { distFlag?: string } = {}): Promise<TrainEvent[]> {
  const port = o.masterPort ?? (await freePort('127.0.0.1'));
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  if (options.signal?.aborted) stop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const runs = Array.from({ length: o.nproc }, (_, local) =>
    runTrainExecutable(subcommand, [...args, options.distFlag ?? '--dist'], {
      env: rankEnv(o, port, local, options.env),
      signal: stop.signal,
      killSignal: options.killSignal,
      onEvent: options.onEvent && ((e) => { if (local === 0 || PER_RANK_EVENTS.has(e.event)) options.onEvent?.(e); }),
      onLog: options.onLog ? (text) => options.onLog?.(o.nproc > 1 ? text.replace(/^(?=.)/gm, `[rank ${o.nodeRank * o.nproc + local}] `) : text) : undefined,
    }).catch((err: unknown) => {
      stop.abort();
      throw err;
    }),
  );
  const settled = await Promise.allSettled(runs);
  options.signal?.removeEventListener('abort', onAbort);
  // The first real failure, not the siblings' "killed by SIGTERM" that it caused.
  const failed = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected').map((s) => s.reason as Error);
  if (failed.length) throw failed.find((e) => !/killed by SIG|AbortError|aborted/.test(String(e?.message ?? e))) ?? failed[0];
  return (settled[0] as PromiseFulfilledResult<TrainEvent[]>).value;
}
