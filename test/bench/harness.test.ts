// The benchmark harness's plumbing (not the benchmark): ratio / median / same_output logic, the result
// schema and writers, the synthetic-input generator and DICOM writer. No timing is asserted.
import t from 'tap';
import fs from 'fs';
import os from 'os';
import path from 'path';
import dicomParser from 'dicom-parser';
import { arrayDiff, compareItem, compareSides, median, pairStats, ratio, rowMs } from '../../tools/bench/harness/compare';
import { pinnedCpus, runLockstep } from '../../tools/bench/harness/lockstep';
import { COMPARATORS } from '../../tools/bench/harness/plan';
import { markdownTable, ratioChartSvg, writeResults } from '../../tools/bench/harness/report';
import { lowbias32, synthU8, syntheticMammogram } from '../../tools/bench/harness/synthetic';
import { writeMonochromeDicom } from '../../tools/bench/harness/dicom-writer';
import { BenchResult, SideResult, StageRow } from '../../tools/bench/harness/types';

t.test('median, per-row ms and ratio (original ÷ ours)', async (t) => {
  t.equal(median([5, 1, 3]), 3);
  t.equal(median([4, 1, 3, 2]), 2.5);
  t.throws(() => median([]));
  // rowMs = mean over items of each item's median: (2 + 10) / 2.
  t.equal(rowMs([{ id: 'a', ms: [3, 1, 2], output: {} }, { id: 'b', ms: [10], output: {} }]), 6);
  t.equal(rowMs([]), null);
  t.equal(ratio(300, 100), 3, 'original 300 ms, ours 100 ms: ours 3x faster');
  t.equal(ratio(50, 100), 0.5);
  t.equal(ratio(null, 100), null);
  t.equal(ratio(100, 0), null);
});

t.test('same_output comparators', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cmp-'));
  const dirs = { ours: path.join(dir, 'ours'), peer: path.join(dir, 'peer') };
  fs.mkdirSync(dirs.ours);
  fs.mkdirSync(dirs.peer);
  const it = (output: Record<string, unknown>, id = 'x'): { id: string; ms: number[]; output: Record<string, unknown> } => ({ id, ms: [1], output });

  t.ok(compareItem(COMPARATORS.decode, it({ sha256: 'ab' }), it({ sha256: 'ab' }), dirs).same);
  t.notOk(compareItem(COMPARATORS.decode, it({ sha256: 'ab' }), it({ sha256: 'ac' }), dirs).same);
  t.ok(compareItem(COMPARATORS.sweep, it({ sha256: ['a', 'b'] }), it({ sha256: ['a', 'b'] }), dirs).same, 'sweep: one hash per image');
  t.notOk(compareItem(COMPARATORS.sweep, it({ sha256: ['a', 'b'] }), it({ sha256: ['a', 'c'] }), dirs).same);
  t.ok(compareItem(COMPARATORS.otsu_roi, it({ box: [0, 1, 2, 3] }), it({ box: [0, 1, 2, 3] }), dirs).same);
  t.notOk(compareItem(COMPARATORS.otsu_roi, it({ box: [0, 1, 2, 3] }), it({ box: [0, 1, 2, 4] }), dirs).same);
  t.ok(compareItem(COMPARATORS.ensemble, it({ probs: [0.5, 0.25] }), it({ probs: [0.50005, 0.25] }), dirs).same);
  t.notOk(compareItem(COMPARATORS.ensemble, it({ probs: [0.5, 0.25] }), it({ probs: [0.5002, 0.25] }), dirs).same);
  t.notOk(compareItem(COMPARATORS.e2e, it({ probs: [0.5], box: [0, 0, 1, 1] }), it({ probs: [0.5], box: [0, 0, 1, 2] }), dirs).same,
    'e2e: different boxes are different outputs');

  // u8 (spec P10): at least 99.9 % equal and never more than 1 apart.
  const a = new Uint8Array(10000).fill(7);
  const b = Uint8Array.from(a);
  for (let i = 0; i < 10; i++) b[i] = 8; // 0.1 % off by one: still the same
  fs.writeFileSync(path.join(dirs.ours, 'x.bin'), a);
  fs.writeFileSync(path.join(dirs.peer, 'x.bin'), b);
  t.ok(compareItem(COMPARATORS.classifier_input, it({}), it({}), dirs).same);
  b[20] = 8; // 0.11 %
  fs.writeFileSync(path.join(dirs.peer, 'x.bin'), b);
  t.notOk(compareItem(COMPARATORS.classifier_input, it({}), it({}), dirs).same);
  b.set(a);
  b[0] = 9; // off by 2
  fs.writeFileSync(path.join(dirs.peer, 'x.bin'), b);
  t.notOk(compareItem(COMPARATORS.classifier_input, it({}), it({}), dirs).same);

  // f32 within tolerance; a missing array is never "the same".
  fs.writeFileSync(path.join(dirs.ours, 'y.bin'), Buffer.from(new Float32Array([1, 2, 3]).buffer));
  fs.writeFileSync(path.join(dirs.peer, 'y.bin'), Buffer.from(new Float32Array([1, 2.0005, 3]).buffer));
  t.ok(compareItem(COMPARATORS.detector_input, it({}, 'y'), it({}, 'y'), dirs).same);
  t.notOk(compareItem(COMPARATORS.yolox, it({}, 'z'), it({}, 'z'), dirs).same);
  t.same(arrayDiff([1, 2], [1, 2, 3]), { maxDiff: Infinity, equalFraction: 0 });

  const side = (items: Array<ReturnType<typeof it>>): SideResult => ({
    side: 'rsna_mammo', stage: 'decode', threads: 1, items, peak_rss_kb: 1, baseline_rss_kb: 1,
  });
  t.ok(compareSides(COMPARATORS.decode, side([it({ sha256: 'a' })]), side([it({ sha256: 'a' })]), dirs).same);
  t.notOk(compareSides(COMPARATORS.decode, side([it({ sha256: 'a' })]), side([]), dirs).same, 'an item missing on one side');
  t.notOk(compareSides(COMPARATORS.decode, side([]), side([]), dirs).same, 'nothing compared is not "same"');
});

t.test('result schema, Markdown table and SVG chart', async (t) => {
  const row = (o: Partial<StageRow>): StageRow => ({
    stage: 'decode', input: 'RSNA', threads: 1, items: 1, status: 'ok', rsna_mammo_ms: 100, python_original_ms: 250,
    ratio: 2.5, same_output: true, comparison: 'sha256 equal', rsna_mammo_peak_rss_mb: 80, python_original_peak_rss_mb: 360, ...o,
  });
  const result: BenchResult = {
    schema: 'rsna-mammo-bench/2', mode: 'quick', started: '2026-01-01T00:00:00.000Z', finished: '2026-01-01T00:01:00.000Z',
    machine: { cpus: 2, cpuModel: 'cpu', totalMemMb: 1, node: 'v20', platform: 'linux-x64', loadAverage: [0.5, 1] }, threadCounts: [1, 2],
    rows: [
      row({}),
      row({ threads: 2, ratio: 0.4, rsna_mammo_ms: 100, python_original_ms: 40 }),
      row({ stage: 'e2e', input: 'per image', status: 'not available', reason: 'lib/pipeline is not in this build',
        rsna_mammo_ms: null, ratio: null, same_output: null, rsna_mammo_peak_rss_mb: null }),
    ],
    notes: ['a note'],
  };
  const md = markdownTable(result);
  t.match(md, '| decode | RSNA | 1 | 100.0 | 250.0 | 2.50× |  | yes | 80 / 360 |');
  const wide = markdownTable({ ...result, rows: [row({ ratio_range: [2, 3.5], ratio_pairs: 3, wide_spread: true, load_average: [1.5, 2.25] })] });
  t.match(wide, '| 2.50× (2.00–3.50, 3 pairs) **wide** |  | yes | 80 / 360 | 1.50 → 2.25 |', 'pair range, wide mark and load average');
  t.match(md, '| decode | RSNA | 2 | 100.0 | 40.0 | 0.40× |  | yes |');
  t.match(md, '| e2e | per image | 1 | — | 250.0 | — |  | not available |');
  t.match(md, 'lib/pipeline is not in this build');
  const svg = ratioChartSvg(result);
  t.match(svg, /^<svg /);
  t.equal((svg.match(/<rect x=/g) ?? []).length, 2 + 2, 'two ratio bars plus two legend swatches');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-out-'));
  const files = writeResults(result, dir);
  const back = JSON.parse(fs.readFileSync(files.json, 'utf8')) as BenchResult;
  for (const r of back.rows) {
    for (const k of ['rsna_mammo_ms', 'python_original_ms', 'ratio', 'same_output']) t.ok(k in r, `row has ${k}`);
  }
  t.ok(back.rows.some((r) => r.stage === 'e2e'), 'the end-to-end row exists');
});

t.test('pair ratios of interleaved repeats: median, range, per-item spread', async (t) => {
  const it = (id: string, ms: number[]): { id: string; ms: number[]; output: Record<string, unknown> } => ({ id, ms, output: {} });
  // item a: 200/100, 220/100, 300/100 → 2, 2.2, 3; item b: 50/100 → 0.5 (one pair: no spread of its own).
  const s = pairStats([it('a', [100, 100, 100]), it('b', [100])], [it('a', [200, 220, 300]), it('b', [50])]);
  t.equal(s?.pairs, 4);
  t.equal(s?.median, 2.1, 'median of 0.5, 2, 2.2, 3');
  t.same([s?.min, s?.max], [0.5, 3]);
  t.ok(Math.abs((s?.spread ?? 0) - 1 / 2.2) < 1e-12, 'spread: item a (3 − 2) ÷ its median 2.2');
  t.equal(s?.wide, true, 'above 20 %: marked');
  t.equal(pairStats([it('a', [1])], [it('x', [1])]), null, 'no common item: no pairs');
});

t.test('lockstep: the two sides never run at once and alternate A B A B', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-lockstep-'));
  const log = path.join(dir, 'log');
  // A side that stops at three gates and appends its name after each one, then prints a result line.
  const side = (name: string): string =>
    `const fs=require('fs');const b=Buffer.alloc(64);for(let i=0;i<3;i++){fs.writeSync(1,'{"gate":true}\\n');` +
    `let s='';while(!s.includes('\\n')){const n=fs.readSync(0,b,0,64,null);s+=b.toString('utf8',0,n);}` +
    `fs.appendFileSync(${JSON.stringify(log)},'${name}'+i+' ');}fs.writeSync(1,'{"done":"${name}"}\\n');`;
  const cmd = (name: string): { cmd: string; args: string[]; env: NodeJS.ProcessEnv } => ({ cmd: process.execPath, args: ['-e', side(name)], env: {} });
  const out = await runLockstep([cmd('A'), cmd('B')], 30_000);
  t.equal(fs.readFileSync(log, 'utf8'), 'A0 B0 A1 B1 A2 B2 ');
  t.same(out.lines, [['{"done":"A"}'], ['{"done":"B"}']]);
  t.same(out.errors, [undefined, undefined]);
  t.equal(pinnedCpus(1, 4), '3', 'one thread: the last CPU');
  t.equal(pinnedCpus(2, 4), '2-3');
  t.equal(pinnedCpus(8, 2), '0-1');
});

t.test('synthetic generator: golden lowbias32 vectors (golden/preprocess/README.md)', async (t) => {
  // seed 1 → u32 [33350994, 2672842292, 127880910, 260803382]; seed 7 → u8 [145, 174, 37, 143]; seed 0 → u32[0] = 0.
  const u32 = [0, 1, 2, 3].map((i) => lowbias32((i + 0x9e3779b9) >>> 0));
  t.same(u32, [33350994, 2672842292, 127880910, 260803382]);
  t.equal(lowbias32(0), 0);
  t.same([...synthU8(4, 7)], [145, 174, 37, 143]);
  const px = syntheticMammogram(64, 48, 1);
  t.ok(px.every((v) => v <= 4095), '12-bit stored values');
  t.ok(px.some((v) => v > 2000) && px.some((v) => v < 100), 'breast and background present');
});

t.test('DICOM writer: read back by dicom-parser', async (t) => {
  const pixels = new Uint16Array([0, 1, 4095, 17, 300, 2048]);
  const bytes = writeMonochromeDicom({ rows: 2, columns: 3, bitsStored: 12, pixels, photometric: 'MONOCHROME1',
    windowCenter: 2047, windowWidth: 4096, name: 't' });
  const ds = dicomParser.parseDicom(new Uint8Array(bytes));
  t.equal(ds.string('x00020010'), '1.2.840.10008.1.2.1');
  t.equal(ds.uint16('x00280010'), 2);
  t.equal(ds.uint16('x00280011'), 3);
  t.equal(ds.uint16('x00280101'), 12);
  t.equal(ds.string('x00280004'), 'MONOCHROME1');
  t.equal(ds.floatString('x00281050'), 2047);
  const el = ds.elements.x7fe00010;
  t.same([...new Uint16Array(bytes.buffer.slice(bytes.byteOffset + el.dataOffset, bytes.byteOffset + el.dataOffset + el.length))], [...pixels]);
});
