// Damaged input never crashes or hangs: every shared DICOM is mutated many times (truncation, bit
// flips in header and codestream, overwritten lengths, absurd Rows/Columns, inserted/deleted bytes)
// with a fixed seed; each case must end in an RsnaMammoError with an ERR_ code or a frame of the
// right shape. ≥2,000 cases by default; RSNA_FUZZ_CASES=N asks for about N (opt-in longer run),
// RSNA_FUZZ_SEED another seed, RSNA_FUZZ_FILTER=text only the files whose path contains it,
// RSNA_FUZZ_DECODER=wasm|native every case through that path (wasm: a machine without native codecs;
// native reaches Debian's HTJ2K decoders, which abort on some damage: pair it with RSNA_FUZZ_FILTER).
import fs from 'fs';
import t from 'tap';
import * as dicomParser from 'dicom-parser';
import { closeWasmPool, decodeFrame, parseDicom } from '../../lib/dicom';
import { RsnaMammoError } from '../../lib/errors';
import { needsShared } from '../helpers/shared';
import { dicomFile, dicomManifest, DICOM_DIR } from '../helpers/dicomManifest';

t.teardown(closeWasmPool);

const TOTAL = Number(process.env.RSNA_FUZZ_CASES ?? 2100);
const SEED = Number(process.env.RSNA_FUZZ_SEED ?? 20240607);
const FILTER = process.env.RSNA_FUZZ_FILTER ?? ''; // e.g. HTJ2K: only files whose path contains it
const FORCED = process.env.RSNA_FUZZ_DECODER as 'wasm' | 'native' | undefined;
/** One case slower than this is a hang; the process's peak RSS must stay under PEAK_RSS_LIMIT
 * (the default pixel budget, lib/dicom/limits.ts, is 2^28 pixels in flight = 1 GiB of 32-bit samples). */
const HANG_MS = Number(process.env.RSNA_FUZZ_HANG_MS ?? 60_000);
const PEAK_RSS_LIMIT = Number(process.env.RSNA_FUZZ_PEAK_RSS ?? 3 * 2 ** 30);

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

type Mutation = (b: Buffer, rnd: () => number) => Buffer;
const int = (rnd: () => number, n: number): number => Math.floor(rnd() * n);

function sizeOffsets(bytes: Buffer): number[] {
  try {
    const ds = dicomParser.parseDicom(bytes);
    return ['x00280010', 'x00280011', 'x00280008', 'x00280100', 'x00280101', 'x00280002'].map((k) => ds.elements[k]?.dataOffset ?? -1).filter((o) => o > 0);
  } catch {
    return [];
  }
}

const MUTATIONS: Record<string, Mutation> = {
  truncate: (b, rnd) => b.subarray(0, int(rnd, b.length)),
  truncateTail: (b, rnd) => b.subarray(0, b.length - 1 - int(rnd, Math.min(4096, b.length - 1))),
  flipHeaderBits: (b, rnd) => {
    const c = Buffer.from(b);
    for (let i = 0, n = 1 + int(rnd, 8); i < n; i++) c[int(rnd, Math.min(c.length, 2048))] ^= 1 << int(rnd, 8);
    return c;
  },
  flipCodestreamBits: (b, rnd) => {
    const c = Buffer.from(b);
    const start = Math.floor(c.length * 0.5);
    for (let i = 0, n = 1 + int(rnd, 16); i < n; i++) c[start + int(rnd, c.length - start)] ^= 1 << int(rnd, 8);
    return c;
  },
  flipAnyBits: (b, rnd) => {
    const c = Buffer.from(b);
    for (let i = 0, n = 1 + int(rnd, 32); i < n; i++) c[int(rnd, c.length)] ^= 1 << int(rnd, 8);
    return c;
  },
  overwriteLength: (b, rnd) => {
    const c = Buffer.from(b);
    const values = [0xffffffff, 0, 0x7fffffff, 0x80000000, int(rnd, 2 ** 32)];
    c.writeUInt32LE(values[int(rnd, values.length)], int(rnd, c.length - 4));
    return c;
  },
  absurdSize: (b, rnd) => {
    const c = Buffer.from(b);
    const offsets = sizeOffsets(b);
    if (!offsets.length) return c;
    const values = [0xffff, 0, 1, 0x8000, int(rnd, 0x10000)];
    c.writeUInt16LE(values[int(rnd, values.length)], offsets[int(rnd, offsets.length)]);
    return c;
  },
  insertBytes: (b, rnd) => {
    const at = int(rnd, b.length);
    const junk = Buffer.alloc(1 + int(rnd, 64), int(rnd, 256));
    return Buffer.concat([b.subarray(0, at), junk, b.subarray(at)]);
  },
  insertEoi: (b, rnd) => { // an EOI/EOC marker in the middle of the codestream half
    const at = Math.floor(b.length * (0.5 + 0.45 * rnd()));
    return Buffer.concat([b.subarray(0, at), Buffer.from([0xff, 0xd9]), b.subarray(at)]);
  },
  zeroRun: (b, rnd) => { // a zeroed stretch of the codestream half (lost sectors)
    const c = Buffer.from(b);
    const start = Math.floor(c.length * (0.5 + 0.4 * rnd()));
    c.fill(0, start, Math.min(c.length, start + 1 + int(rnd, 4096)));
    return c;
  },
  deleteBytes: (b, rnd) => {
    const at = int(rnd, b.length);
    return Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + int(rnd, 256)))]);
  },
};
const NAMES = Object.keys(MUTATIONS);

t.test('mutated DICOMs end in a typed error or a well-formed frame', needsShared(`${DICOM_DIR}/MANIFEST.json`), async (t) => {
  const entries = dicomManifest().filter((e) => e.file.includes(FILTER));
  // Small frames get many cases; multi-megapixel ones (each decode takes 0.1-1 s) a few each.
  const weights = entries.map((e) => (e.rows * e.columns > 1.2e6 ? 0.5 : 8));
  const perWeight = TOTAL / weights.reduce((a, b) => a + b, 0);
  const rnd = mulberry32(SEED);
  const outcomes: Record<string, number> = {};
  let cases = 0;
  let peakRss = process.memoryUsage().rss;
  let slowest = { ms: 0, label: '' };
  const t0 = Date.now();
  for (const [i, entry] of entries.entries()) {
    const original = fs.readFileSync(dicomFile(entry));
    const n = Math.max(3, Math.ceil(weights[i] * perWeight)); // ceil: at least TOTAL cases in all
    for (let k = 0; k < n; k++) {
      const name = NAMES[(k + i) % NAMES.length];
      const bytes = MUTATIONS[name](original, rnd);
      const decoder = FORCED ?? (k % 10 === 9 && weights[i] > 1 ? 'wasm' : 'auto');
      const label = `${entry.file} #${k} ${name} (${decoder})`;
      cases++;
      const started = Date.now();
      try {
        const image = parseDicom(bytes, label);
        const frame = await decodeFrame(image, 0, { decoder });
        if (frame.pixels.length !== image.rows * image.columns * image.samplesPerPixel) t.fail(`${label}: frame has ${frame.pixels.length} samples`);
        outcomes.decoded = (outcomes.decoded ?? 0) + 1;
      } catch (err) {
        if (err instanceof RsnaMammoError && /^ERR_[A-Z_]+$/.test(err.code)) {
          outcomes[err.code] = (outcomes[err.code] ?? 0) + 1;
        } else {
          t.fail(`${label}: untyped error ${(err as Error)?.stack ?? String(err)}`);
        }
      }
      const ms = Date.now() - started;
      if (ms > slowest.ms) slowest = { ms, label };
      if (ms > HANG_MS) t.fail(`${label}: took ${ms} ms (a hang)`);
      if (cases % 16 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
  }
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  t.ok(peakRss < PEAK_RSS_LIMIT, `peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB (limit ${PEAK_RSS_LIMIT / 2 ** 20} MiB)`);
  t.comment(`${cases} cases in ${((Date.now() - t0) / 1000).toFixed(0)} s; slowest ${slowest.ms} ms (${slowest.label}); peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB`);
  t.ok(cases >= TOTAL, `${cases} mutated files checked (seed ${SEED})`);
  t.comment(`outcomes: ${JSON.stringify(outcomes)}`);
});
