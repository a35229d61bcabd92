// `rsna-mammo dicom decode|render`: the JSON facts, the raw output and the PNG, and the one-line
// error with a non-zero exit.
import crypto from 'crypto';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { Writable } from 'stream';
import t from 'tap';
import { decode as decodePng } from 'fast-png';
import { main } from '../../lib/cli/main';
import { nativeCodecFor } from '../../lib/dicom';
import { needsShared } from '../helpers/shared';
import { dicomFile, dicomManifest, DICOM_DIR } from '../helpers/dicomManifest';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'dicom');
const expected = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'expected.json'), 'utf8')) as Record<string, Record<string, unknown>>;

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '', stderr = '';
  const sink = (add: (s: string) => void): Writable => new Writable({ write(chunk, _e, cb) { add(String(chunk)); cb(); } });
  const code = await main(args, { stdout: sink((s) => (stdout += s)), stderr: sink((s) => (stderr += s)) });
  return { code, stdout, stderr };
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-dicom-cli-'));
t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));

t.test('dicom decode --json prints the facts and the reference hash', async (t) => {
  const file = path.join(FIXTURES, 'MR_small_jp2klossless.dcm');
  const e = expected['MR_small_jp2klossless.dcm'];
  const out = path.join(tmp, 'raw.bin');
  const r = await cli(['dicom', 'decode', file, '--json', '--out', out]);
  t.equal(r.code, 0);
  const lines = r.stdout.trim().split('\n');
  t.equal(lines.length, 1, 'one JSON object');
  const j = JSON.parse(lines[0]);
  for (const key of ['transferSyntaxUID', 'rows', 'columns', 'numberOfFrames', 'bitsAllocated', 'bitsStored', 'pixelRepresentation',
    'photometricInterpretation', 'windowCenter', 'windowWidth', 'voiLutFunction', 'rescaleSlope', 'rescaleIntercept', 'decoder', 'min', 'max', 'sha256']) {
    t.ok(key in j, `has ${key}`);
  }
  t.same([j.transferSyntaxUID, j.rows, j.columns, j.bitsStored, j.pixelRepresentation, j.windowCenter, j.windowWidth],
    [e.transfer_syntax_uid, e.rows, e.columns, e.bits_stored, e.pixel_representation, e.window_center, e.window_width]);
  t.same([j.sha256, j.min, j.max], [e.frame0_sha256, e.frame0_min, e.frame0_max], 'sha256/min/max = reference');
  // The JPEG 2000 decoder of this build: Grok in a source build that found it, else libopenjp2.
  t.match(j.decoder, new RegExp(`^${nativeCodecFor('jpeg2000') ?? 'openjpeg'}-`), `decoder ${j.decoder}`);
  t.equal(crypto.createHash('sha256').update(fs.readFileSync(out)).digest('hex'), e.frame0_sha256, '--out holds the stored values');
  const w = JSON.parse((await cli(['dicom', 'decode', file, '--json', '--decoder', 'wasm'])).stdout);
  t.same([w.decoder, w.sha256], ['wasm-openjpeg', e.frame0_sha256], '--decoder wasm');
});

t.test('dicom render writes the DCMTK rendering as an 8-bit PNG', needsShared(`${DICOM_DIR}/MANIFEST.json`), async (t) => {
  const entry = dicomManifest().find((e) => e.file === 'pydicom/MR_small_jpeg_ls_lossless.dcm')!;
  const png = path.join(tmp, 'mr.png');
  const r = await cli(['dicom', 'render', dicomFile(entry), '--out', png, '--mode', 'standard', '--window', '0']);
  t.equal(r.code, 0, r.stderr);
  const img = decodePng(fs.readFileSync(png));
  t.same([img.width, img.height, img.depth, img.channels], [entry.columns, entry.rows, 8, 1]);
  const sha = crypto.createHash('sha256').update(img.data as Uint8Array).digest('hex');
  t.equal(sha, entry.display_reference!.renders[0].sha256_8bit, 'PNG pixels = dcm2pnm +Wi 1');
});

t.test('dicom render --mode original follows ALGORITHMS.md §1.4.1 (LINEAR, window 0, no rescale)', async (t) => {
  const file = path.join(FIXTURES, 'MR_small_RLE.dcm');
  const png = path.join(tmp, 'orig.png');
  const r = await cli(['dicom', 'render', file, '--out', png, '--mode', 'original']);
  t.equal(r.code, 0, r.stderr);
  const img = decodePng(fs.readFileSync(png));
  const raw = path.join(tmp, 'orig.raw');
  await cli(['dicom', 'decode', file, '--json', '--out', raw]);
  const x = new Int16Array(new Uint8Array(fs.readFileSync(raw)).buffer); // signed 16-bit stored values
  const [wc, ww] = [expected['MR_small_RLE.dcm'].window_center as number[], expected['MR_small_RLE.dcm'].window_width as number[]].map((v) => v[0]);
  const s = 255 / (ww - 1), b = (-(wc - 0.5) / (ww - 1) + 0.5) * 255;
  let differ = 0;
  x.forEach((v, i) => {
    if ((img.data as Uint8Array)[i] !== Math.trunc(Math.min(255, Math.max(0, v * s + b)))) differ++;
  });
  t.equal(differ, 0, 'every pixel = trunc(clamp(x·s + b)) at float64');
});

t.test('errors: one line naming the file and the problem, non-zero exit', async (t) => {
  const bogus = path.join(tmp, 'not-dicom.dcm');
  fs.writeFileSync(bogus, 'just text');
  const r = await cli(['dicom', 'decode', bogus, '--json']);
  t.not(r.code, 0);
  t.equal(r.stderr.trim().split('\n').length, 1, 'one line');
  t.match(r.stderr, bogus);
  t.match(r.stderr, /ERR_DICOM_NOT_DICOM/);
  const missing = await cli(['dicom', 'render', path.join(FIXTURES, 'MR_small_RLE.dcm')]);
  t.not(missing.code, 0, 'render without --out');
  const frame = await cli(['dicom', 'decode', path.join(FIXTURES, 'MR_small_RLE.dcm'), '--frame', '3']);
  t.not(frame.code, 0, 'frame past the end');
  t.match(frame.stderr, /frame/);
});
