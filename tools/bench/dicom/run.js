#!/usr/bin/env node
'use strict';
// npm run bench:dicom — decode speed per transfer syntax, in ms per megapixel: rsna-mammo's native
// codecs (libuv pool), its WASM codecs (worker thread), and Debian's opj_decompress (J2K/HTJ2K, on
// the frame's codestream) and gdcmconv --raw (whole file), all measured in this one run on this
// machine (each timed after one untimed warm-up). The command-line tools include process start-up and file I/O; that is part of what a user
// of them pays. Median of --runs (default 3). Prints a table; writes tools/bench/results/dicom-<time>.json.
// A benchmark, not a test: it asserts nothing. Needs ../shared/data/dicom and a built dist/.
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.join(__dirname, '..', '..', '..');
const dist = path.join(root, 'dist', 'dicom', 'index.js');
if (!fs.existsSync(dist)) {
  console.error('bench:dicom: dist/ is missing; run `npm run build` first');
  process.exit(1);
}
const dicom = require(dist);
const { encapsulatedFrameBytes } = require(path.join(root, 'dist', 'dicom', 'frames.js'));
const dataDir = path.join(root, '..', 'shared', 'data', 'dicom');
if (!fs.existsSync(path.join(dataDir, 'MANIFEST.json'))) {
  console.error(`bench:dicom: ${dataDir}/MANIFEST.json is absent`);
  process.exit(1);
}

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const RUNS = Number(opt('runs', 3));
const FILTER = opt('filter', '');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-bench-dicom-'));

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
};
const have = (tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const TOOLS = { opj: have('opj_decompress'), gdcm: have('gdcmconv') };

async function timeAsync(fn) {
  await fn(); // warm-up (JIT, WASM instantiation, page cache), not timed
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(times);
}

function timeTool(cmd, argv) {
  return timeAsync(async () => {
    const r = spawnSync(cmd, argv, { stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`${cmd} exited with ${r.status}`);
  });
}

async function tryTime(fn) {
  try {
    return await fn();
  } catch (err) {
    // Results are committed: keep machine paths out of them (files are named relative to the repo).
    return { error: String(err.message || err).split('\n')[0].split(path.resolve(root, '..') + path.sep).join('../') };
  }
}

async function main() {
  const manifest = JSON.parse(fs.readFileSync(path.join(dataDir, 'MANIFEST.json'), 'utf8'));
  const threads = os.availableParallelism ? os.availableParallelism() : os.cpus().length;
  const rows = [];
  for (const entry of manifest) {
    if (FILTER && !entry.file.includes(FILTER)) continue;
    const file = path.join(dataDir, entry.file);
    const image = await dicom.readDicom(file);
    const mp = (image.rows * image.columns) / 1e6;
    const row = { file: entry.file, transferSyntaxUID: image.transferSyntaxUID, megapixels: mp };
    let nativeDecoder;
    row.native = await tryTime(() => timeAsync(async () => (nativeDecoder = (await dicom.decodeFrame(image, 0, { decoder: 'native' })).decoder)));
    row.nativeDecoder = nativeDecoder;
    let wasmDecoder;
    const ts0 = dicom.transferSyntax(image.transferSyntaxUID);
    if (ts0 && ts0.family !== 'uncompressed') row.wasm = await tryTime(() => timeAsync(async () => (wasmDecoder = (await dicom.decodeFrame(image, 0, { decoder: 'wasm' })).decoder)));
    row.wasmDecoder = wasmDecoder;
    const ts = dicom.transferSyntax(image.transferSyntaxUID);
    if (TOOLS.opj && ts && (ts.family === 'jpeg2000' || ts.family === 'htj2k')) {
      const cs = encapsulatedFrameBytes(image, image.pixelData, 0);
      const jp2 = cs[0] === 0 && cs[3] === 0x0c;
      const input = path.join(tmp, jp2 ? 'f.jp2' : 'f.j2k');
      fs.writeFileSync(input, cs);
      row.opj_decompress = await tryTime(() => timeTool('opj_decompress', ['-quiet', '-threads', String(threads), '-i', input, '-o', path.join(tmp, 'f.rawl')]));
    }
    if (TOOLS.gdcm && ts && ts.family !== 'htj2k') {
      row.gdcmconv = await tryTime(() => timeTool('gdcmconv', ['--raw', file, path.join(tmp, 'out.dcm')]));
    }
    rows.push(row);
    process.stderr.write('.');
  }
  process.stderr.write('\n');
  await dicom.closeWasmPool();

  // Per transfer syntax: total ms / total megapixels over the files every column decoded.
  const columns = ['native', 'wasm', 'opj_decompress', 'gdcmconv'];
  const groups = new Map();
  for (const r of rows) {
    if (!groups.has(r.transferSyntaxUID)) groups.set(r.transferSyntaxUID, []);
    groups.get(r.transferSyntaxUID).push(r);
  }
  const summary = [];
  for (const [uid, rs] of groups) {
    const s = { transferSyntaxUID: uid, name: dicom.transferSyntax(uid)?.name ?? uid, files: rs.length, megapixels: rs.reduce((a, r) => a + r.megapixels, 0) };
    for (const c of columns) {
      const ok = rs.filter((r) => typeof r[c] === 'number');
      s[c] = ok.length ? ok.reduce((a, r) => a + r[c], 0) / ok.reduce((a, r) => a + r.megapixels, 0) : null;
      s[`${c}Files`] = ok.length;
    }
    s.nativeDecoder = rs.find((r) => r.nativeDecoder)?.nativeDecoder ?? null;
    s.wasmDecoder = rs.find((r) => r.wasmDecoder)?.wasmDecoder ?? null;
    summary.push(s);
  }
  const fmt = (v) => (v === null ? '—' : v.toFixed(1));
  const header = ['transfer syntax', 'files', 'MP', 'native ms/MP', 'WASM ms/MP', 'opj_decompress ms/MP', 'gdcmconv ms/MP', 'native codec', 'WASM codec'];
  const table = summary.map((s) => [s.name.slice(0, 44), String(s.files), s.megapixels.toFixed(1), fmt(s.native), fmt(s.wasm), fmt(s.opj_decompress), fmt(s.gdcmconv), s.nativeDecoder ?? '—', s.wasmDecoder ?? '—']);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => (i < 1 || i > 6 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(`DICOM decode, ms per megapixel (median of ${RUNS}; ${os.cpus()[0]?.model ?? 'cpu'}, ${threads} threads; tools include process start-up)`);
  console.log(line(header));
  for (const r of table) console.log(line(r));
  const outDir = path.join(root, 'tools', 'bench', 'results');
  fs.mkdirSync(outDir, { recursive: true });
  const out = path.join(outDir, `dicom-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const host = { cpu: os.cpus()[0]?.model, threads, node: process.version, platform: `${os.platform()}-${os.arch()}`, loadavg: os.loadavg() };
  fs.writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), runs: RUNS, host, summary, files: rows }, null, 1));
  console.log(`wrote ${path.relative(root, out)}`);
  fs.rmSync(tmp, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(`bench:dicom: ${err.stack || err}`);
  process.exit(1);
});
