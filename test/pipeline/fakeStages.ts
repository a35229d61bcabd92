/**
 * Test doubles for the pipeline stages: deterministic fold probabilities derived from the image key,
 * optional delays and failures, and counters to observe concurrency. Tests only; never shipped.
 */
import type { ImageSource, PipelineStages, PreparedImage } from '../../lib/pipeline/types';

export interface FakeStageOptions {
  folds?: number;
  prepareDelayMs?: number;
  inferDelayMs?: number;
  /** Keys whose prepare rejects (like an unreadable file). */
  failPrepare?: Set<string>;
  /** Keys whose presence in a batch makes infer reject. */
  failInfer?: Set<string>;
  inputBytes?: number;
}

export interface FakeStages extends PipelineStages {
  prepared: string[];
  batches: string[][];
  events: string[];
  maxConcurrentPrepare: number;
}

/** FNV-1a of a string → float in (0, 1): a stand-in "probability" that depends only on the key. */
export function fakeProbability(key: string, fold: number): number {
  let h = 0x811c9dc5 ^ fold;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return Math.fround(((h >>> 8) + 0.5) / (1 << 24));
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function fakeStages(o: FakeStageOptions = {}): FakeStages {
  const folds = o.folds ?? 4;
  const keyOf = new WeakMap<Uint8Array, string>();
  let running = 0;
  const s: FakeStages = {
    prepared: [],
    batches: [],
    events: [],
    maxConcurrentPrepare: 0,
    async prepare(source: ImageSource, key: string): Promise<PreparedImage> {
      running += 1;
      s.maxConcurrentPrepare = Math.max(s.maxConcurrentPrepare, running);
      s.events.push(`prepare-start ${key}`);
      try {
        if (o.prepareDelayMs) await sleep(o.prepareDelayMs);
        if (o.failPrepare?.has(key)) {
          const err = new Error(`${typeof source === 'string' ? source : key}: not a DICOM file`) as Error & { code: string };
          err.code = 'ERR_DICOM_NOT_DICOM';
          throw err;
        }
        s.prepared.push(key);
        const input = new Uint8Array(o.inputBytes ?? 16);
        keyOf.set(input, key);
        return {
          input,
          roi: { box: [1, 2, 30, 40], method: 'otsu', areaPct: 0.5, score: null, ratio: 0.25 },
          decoder: 'fake',
          meta: { rows: 50, columns: 40, patientId: key.split('/')[0], laterality: 'L' },
          timings: { readMs: 1, decodeMs: 2, roiMs: 3, prepareMs: 4 },
        };
      } finally {
        running -= 1;
        s.events.push(`prepare-end ${key}`);
      }
    },
    async infer(inputs: Uint8Array[]): Promise<Float32Array[]> {
      const keys = inputs.map((x) => keyOf.get(x)!);
      s.batches.push(keys);
      s.events.push(`infer-start ${keys.join('+')}`);
      if (o.inferDelayMs) await sleep(o.inferDelayMs);
      s.events.push(`infer-end ${keys.join('+')}`);
      if (keys.some((k) => o.failInfer?.has(k))) throw new Error('model failed on this batch');
      return keys.map((k) => Float32Array.from({ length: folds }, (_, f) => fakeProbability(k, f)));
    },
    async close() {},
  };
  return s;
}
