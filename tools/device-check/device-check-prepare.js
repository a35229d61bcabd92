#!/usr/bin/env node
'use strict';
// Prepares .devcheck/ (git-ignored) here, so tools/device-check/device-check.sh works on a bare GPU machine
// that has CUDA, CMake and Python but no Node and no ../shared:
//   node.xz            this Node binary, xz-compressed (skipped with --no-node when the machine has Node)
//   node-include/      Node's N-API headers (the CUDA addon is built there with plain cmake)
//   lib/               non-system shared libraries the CPU addon links (codecs), for LD_LIBRARY_PATH
//   images/            real RSNA DICOMs decoded here with lib/dicom (dist/) to int16 + their metadata
//   golden/            the preprocess goldens of those images and the YOLOX decode cases
// Then run there: bash tools/device-check/device-check.sh, carrying .devcheck, build and node_modules/node-addon-api.
// Usage: node tools/device-check/device-check-prepare.js [--no-node] [--images N]
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const { execFileSync, spawnSync } = require('child_process');

const root = path.join(__dirname, '..', '..');
const dest = path.join(root, '.devcheck');
const distDir = process.env.RSNA_MAMMO_DIST || path.join(root, 'dist');
const shared = process.env.RSNA_MAMMO_SHARED || path.resolve(root, '..', 'shared');
const argv = process.argv.slice(2);
const maxImages = argv.includes('--images') ? Number(argv[argv.indexOf('--images') + 1]) : 2;
const log = (s) => console.log(`device-check-prepare: ${s}`);

fs.mkdirSync(dest, { recursive: true });

function nodeBinary() {
  const target = path.join(dest, 'node.xz');
  if (argv.includes('--no-node')) { fs.rmSync(target, { force: true }); return log('node: not packed (--no-node)'); }
  const stamp = path.join(dest, 'node.version');
  if (fs.existsSync(target) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === process.version) return log(`node ${process.version}: already packed`);
  // A machine-wide cache outside any checkout: xz of Node takes minutes on a small machine.
  const cache = path.join(require('os').tmpdir(), 'rsna-mammo-devcheck', `node-${process.version}-${process.arch}.xz`);
  if (!fs.existsSync(cache)) {
    log(`node ${process.version}: compressing ${process.execPath} with xz (a few minutes on 2 cores, once per machine)`);
    const r = spawnSync('xz', ['-T0', '-6', '-c', process.execPath], { maxBuffer: 1 << 30 });
    if (r.status !== 0) throw new Error(`xz failed: ${r.stderr}`);
    fs.mkdirSync(path.dirname(cache), { recursive: true });
    fs.writeFileSync(`${cache}.tmp`, r.stdout);
    fs.renameSync(`${cache}.tmp`, cache);
  }
  fs.copyFileSync(cache, target);
  fs.writeFileSync(stamp, process.version);
  log(`node ${process.version}: packed (${cache})`);
}

function nodeHeaders() {
  const from = [process.env.npm_config_nodedir && path.join(process.env.npm_config_nodedir, 'include', 'node'),
    path.resolve(path.dirname(process.execPath), '..', 'include', 'node')].find((d) => d && fs.existsSync(path.join(d, 'node_api.h')));
  if (!from) throw new Error('Node headers (node_api.h) not found next to this Node');
  const to = path.join(dest, 'node-include');
  fs.mkdirSync(to, { recursive: true });
  for (const f of ['node_api.h', 'node_api_types.h', 'js_native_api.h', 'js_native_api_types.h']) fs.copyFileSync(path.join(from, f), path.join(to, f));
  log(`N-API headers from ${from}`);
}

function cpuAddonLibraries() {
  const addon = path.join(root, 'build', 'Release', 'rsna_mammo.node');
  if (!fs.existsSync(addon)) throw new Error(`${addon} is missing: run npm ci / npx node-gyp build first`);
  const to = path.join(dest, 'lib');
  fs.rmSync(to, { recursive: true, force: true });
  fs.mkdirSync(to, { recursive: true });
  const system = /\/(libc|libm|libdl|libpthread|librt|libstdc\+\+|libgcc_s|ld-linux[^/]*)\.so/;
  const copied = [];
  for (const line of execFileSync('ldd', [addon], { encoding: 'utf8' }).split('\n')) {
    const m = /=>\s+(\/\S+)/.exec(line);
    if (!m || system.test(m[1])) continue;
    fs.copyFileSync(m[1], path.join(to, path.basename(m[1])));
    copied.push(path.basename(m[1]));
  }
  log(`CPU addon libraries: ${copied.length ? copied.join(', ') : 'none beyond the system ones'}`);
}

async function images() {
  const to = path.join(dest, 'images');
  fs.rmSync(to, { recursive: true, force: true });
  const goldenRoot = path.join(shared, 'golden', 'preprocess');
  const index = path.join(goldenRoot, 'rsna', 'index.json');
  let readDicom;
  let decodeFrame;
  let toOriginalInt16;
  try {
    ({ readDicom } = require(path.join(distDir, 'dicom', 'parse.js')));
    ({ decodeFrame, toOriginalInt16 } = require(path.join(distDir, 'dicom', 'decode.js')));
  } catch (err) {
    return log(`real images: skipped (lib/dicom is not built in dist/: ${String(err.message).split('\n')[0]})`);
  }
  if (!fs.existsSync(index)) return log(`real images: skipped (${index} absent)`);
  fs.mkdirSync(to, { recursive: true });
  // One MONOCHROME2 LINEAR and one MONOCHROME1 SIGMOID image (ALGORITHMS.md §1.3), the developer set's kinds.
  const wanted = ['10008@1591370361', '10006@462822612', '10011@220375232'].slice(0, maxImages);
  for (const name of wanted) {
    const dir = path.join(goldenRoot, 'rsna', name);
    const summary = JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8'));
    const [patient, image] = name.split('@');
    const dcm = ['test_images', 'train_images'].map((s) => path.join(shared, 'data', 'dicom', 'rsna-kaggle', s, patient, `${image}.dcm`)).find(fs.existsSync);
    if (!dcm) { log(`${name}: DICOM not found, skipped`); continue; }
    const raw = toOriginalInt16(await decodeFrame(await readDicom(dcm)));
    const md = summary.metadata;
    const meta = {
      name, rows: summary.decode.rows, cols: summary.decode.cols, invert: md.invert,
      window: md.window_centers.length ? { func: md.voilut_func, center: md.window_centers[0], width: md.window_widths[0], fp16: false }
        : { func: 'NONE', center: 0, width: 0, fp16: false },
      box: summary.otsu.box_fullres_xyxy, goldenBox: summary.variants.otsu.box_xyxy, pixels: `${name}.i16.gz`, golden: `${name}-golden`,
    };
    if (raw.length !== meta.rows * meta.cols) throw new Error(`${dcm}: decoded ${raw.length} pixels, expected ${meta.rows}x${meta.cols}`);
    fs.writeFileSync(path.join(to, meta.pixels), zlib.gzipSync(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength), { level: 6 }));
    fs.mkdirSync(path.join(to, meta.golden), { recursive: true });
    for (const f of ['detector_input_416.f32.bin', 'otsu.final_2048x1024.u8.bin']) fs.copyFileSync(path.join(dir, f), path.join(to, meta.golden, f));
    fs.writeFileSync(path.join(to, `${name}.json`), `${JSON.stringify(meta, null, 1)}\n`);
    log(`${name}: ${meta.rows}x${meta.cols} decoded from ${path.relative(shared, dcm)}`);
  }
}

function sizeOf(p) {
  const st = fs.statSync(p);
  return st.isDirectory() ? fs.readdirSync(p).reduce((n, f) => n + sizeOf(path.join(p, f)), 0) : st.size;
}

(async () => {
  nodeBinary();
  nodeHeaders();
  cpuAddonLibraries();
  await images();
  const mib = (sizeOf(dest) + sizeOf(path.join(root, 'build', 'Release', 'rsna_mammo.node'))) / 2 ** 20;
  log(`.devcheck + CPU addon: ${mib.toFixed(1)} MiB (the whole working tree that travels must stay under 64 MiB)`);
})().catch((err) => { console.error(`device-check-prepare: ${err.message}`); process.exitCode = 1; });
