/**
 * A small pool of worker threads for the WASM codecs, so a long WASM decode never blocks the
 * event loop. Workers start on first use, are unref'd while idle, and a worker that crashes or
 * exceeds the time limit is replaced (its job rejects with a typed error).
 */
import os from 'os';
import { Worker } from 'worker_threads';
import { startWorker as startWorkerModule } from '../../util/startWorker';
import { RsnaMammoError } from '../../errors';
import type { StoredLayout } from '../canonical';
import type { RenderFacts, WasmCodecName, WasmJob, WasmReply } from './protocol';
import type { StandardRenderOptions } from '../standardRender';
import type { DecodedFrame } from '../types';

const JOB_TIMEOUT_MS = 120_000;

interface Pending {
  resolve(r: { pixels: ArrayBuffer; decoder: string }): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
}

function startWorker(): Worker {
  return startWorkerModule(__dirname, 'worker', { execArgv: [] });
}

class WasmPool {
  private slots: Slot[] = [];
  private nextId = 1;
  private next = 0;
  constructor(private readonly size: number) {}

  private slot(): Slot {
    if (this.slots.length < this.size) {
      const slot = this.spawn();
      this.slots.push(slot);
      return slot;
    }
    // Least loaded worker (ties: round robin).
    const start = this.next++ % this.slots.length;
    let best = this.slots[start];
    for (const s of this.slots) if (s.pending.size < best.pending.size) best = s;
    return best;
  }

  private spawn(): Slot {
    const slot: Slot = { worker: startWorker(), pending: new Map() };
    slot.worker.unref();
    slot.worker.on('message', (reply: WasmReply) => {
      const p = slot.pending.get(reply.id);
      if (!p) return;
      this.settle(slot, reply.id);
      if (reply.ok) p.resolve({ pixels: reply.pixels, decoder: reply.decoder });
      else p.reject(new RsnaMammoError(reply.code, reply.message));
    });
    const die = (err: Error): void => this.retire(slot, new RsnaMammoError('ERR_WASM_WORKER', `WASM decode worker failed: ${err.message}`));
    slot.worker.on('error', die);
    slot.worker.on('exit', (code) => die(new Error(`exited with code ${code}`)));
    return slot;
  }

  private settle(slot: Slot, id: number): void {
    const p = slot.pending.get(id);
    if (p) clearTimeout(p.timer);
    slot.pending.delete(id);
    if (slot.pending.size === 0) slot.worker.unref();
  }

  private retire(slot: Slot, err: Error): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return;
    this.slots.splice(i, 1);
    for (const [id, p] of [...slot.pending]) {
      this.settle(slot, id);
      p.reject(err);
    }
    void slot.worker.terminate();
  }

  /** Decodes one frame's codestream with an npm codec. */
  run(codec: WasmCodecName, bytes: Uint8Array, layout: StoredLayout): Promise<{ pixels: ArrayBuffer; decoder: string }> {
    const copy = new Uint8Array(bytes); // transferred to the worker; the file's bytes stay ours
    return this.submit(codec, (id) => ({ id, kind: 'decode', codec, bytes: copy, layout }), [copy.buffer as ArrayBuffer]);
  }

  /** Runs `standard` rendering (lib/dicom/standardRender.ts) on a worker. */
  async render(frame: DecodedFrame, image: RenderFacts, options: StandardRenderOptions): Promise<Uint8Array> {
    const r = await this.submit('render', (id) => ({ id, kind: 'render', frame, image, options }), []);
    return new Uint8Array(r.pixels);
  }

  private submit(what: string, make: (id: number) => WasmJob, transfer: ArrayBuffer[]): Promise<{ pixels: ArrayBuffer; decoder: string }> {
    const slot = this.slot();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => this.retire(slot, new RsnaMammoError('ERR_DICOM_DECODE_TIMEOUT', `${what} took longer than ${JOB_TIMEOUT_MS / 1000} s`)),
        JOB_TIMEOUT_MS,
      );
      timer.unref();
      slot.pending.set(id, { resolve, reject, timer });
      slot.worker.ref();
      slot.worker.postMessage(make(id), transfer);
    });
  }

  async close(): Promise<void> {
    const slots = this.slots.splice(0);
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }
}

let pool: WasmPool | undefined;

/** The shared pool (2 workers at most: decode parallelism comes from the native path). Besides the
 * WASM codecs it runs `standard` rendering of large frames. */
export function wasmPool(): WasmPool {
  if (!pool) pool = new WasmPool(Math.max(1, Math.min(2, os.availableParallelism?.() ?? os.cpus().length)));
  return pool;
}

/** Stops the pool's workers (tests, benchmarks). */
export async function closeWasmPool(): Promise<void> {
  const p = pool;
  pool = undefined;
  if (p) await p.close();
}
