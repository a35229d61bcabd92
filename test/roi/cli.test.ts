// `rsna-mammo roi --json` and `rsna-mammo preprocess --out` on the real RSNA developer DICOMs against
// the goldens of the original (../shared/golden/preprocess/rsna: Otsu boxes §2.6, classifier inputs
// §3.1, the manual-box crop via --box), plus their argument errors.
import t from 'tap';
import crypto from 'crypto';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { Writable } from 'stream';
import { decode } from 'fast-png';
import { main } from '../../lib/cli/main';
import { needsShared, sharedPath } from '../helpers/shared';

const REL = 'golden/preprocess/rsna/index.json';

function capture() {
  let out = '';
  let err = '';
  const mk = (f: (s: string) => void) => new Writable({ write(chunk, _enc, cb) { f(String(chunk)); cb(); } });
  return { io: { stdout: mk((s) => (out += s)), stderr: mk((s) => (err += s)) }, out: () => out, err: () => err };
}

interface IndexEntry { image: string; dicom: string; folder: string; otsu_box: number[]; otsu_area_pct: number; finals: { otsu: string; manual?: string } }

const sha256 = (a: Uint8Array) => crypto.createHash('sha256').update(a).digest('hex');

/** The per-image entries of index.json (its last entry names a debug file, not an image). */
function readIndex(): IndexEntry[] {
  const images: Partial<IndexEntry>[] = JSON.parse(fs.readFileSync(sharedPath(REL)!, 'utf8')).images;
  return images.filter((e): e is IndexEntry => typeof e.image === 'string');
}

// One image per kind (MONOCHROME2 LINEAR test image, MONOCHROME1 SIGMOID, train LINEAR) keeps this file
// short; test/roi/otsu.test.ts checks all 9 from the stored extract_roi_otsu inputs.
t.test('roi --json: the Otsu path of the original on RSNA images', needsShared(REL), async (t) => {
  const index = readIndex();
  t.equal(index.length, 9);
  for (const e of index.filter((x) => ['10008@68070693', '10006@1864590858', '10011@220375232'].includes(x.image))) {
    const file = sharedPath(`data/dicom/${e.dicom}`);
    if (!file) {
      t.skip(`${e.dicom} absent`);
      continue;
    }
    const c = capture();
    t.equal(await main(['roi', file, '--json'], c.io), 0, c.err());
    const roi = JSON.parse(c.out());
    const summary = JSON.parse(fs.readFileSync(sharedPath(`golden/preprocess/rsna/${e.folder}/summary.json`)!, 'utf8'));
    t.same(roi, { box: e.otsu_box, method: 'otsu', areaPct: e.otsu_area_pct, score: null, ratio: summary.detector_input.ratio }, `${e.image}: ${e.otsu_box}`);
  }
});

t.test('preprocess --out: the classifier input PNG equals the original\'s', needsShared(REL), async (t) => {
  const index = readIndex();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-roi-cli-'));
  t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));
  for (const name of ['10008@736471439', '10006@462822612']) {
    const e = index.find((x) => x.image === name)!;
    const file = sharedPath(`data/dicom/${e.dicom}`)!;
    const out = path.join(tmp, `${name}.png`);
    const c = capture();
    t.equal(await main(['preprocess', file, '--out', out], c.io), 0, c.err());
    t.same(JSON.parse(c.out()).box, e.otsu_box);
    const png = decode(fs.readFileSync(out));
    t.same([png.width, png.height, png.channels, png.depth], [1024, 2048, 1, 8], 'single-channel 8-bit 2048×1024');
    t.equal(sha256(png.data as Uint8Array), e.finals.otsu, `${name}: equals otsu.final_2048x1024 of the original`);
    if (e.finals.manual) {
      const s = JSON.parse(fs.readFileSync(sharedPath(`golden/preprocess/rsna/${e.folder}/summary.json`)!, 'utf8'));
      const m = capture();
      t.equal(await main(['preprocess', file, '--out', out, '--box', s.manual_label.box_int_xyxy.join(',')], m.io), 0, m.err());
      t.equal(JSON.parse(m.out()).method, 'given');
      t.equal(sha256(decode(fs.readFileSync(out)).data as Uint8Array), e.finals.manual, `${name}: --box manual crop equals manual.final`);
    }
  }
});

t.test('roi --yolox: a converted YOLOX model runs inside the command', needsShared('golden/yolox/yolox_nano_416_roi_torch_shifted.pth'), async (t) => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-roi-cli-yolox-'));
  t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const onnx = path.join(tmp, 'yolox.onnx');
  const conv = capture();
  t.equal(await main(['convert', 'yolox', sharedPath('golden/yolox/yolox_nano_416_roi_torch_shifted.pth')!, '--out', onnx], conv.io), 0, conv.err());
  const file = sharedPath('data/dicom/rsna-kaggle/test_images/10008/736471439.dcm')!;
  const c = capture();
  t.equal(await main(['roi', file, '--json', '--yolox', onnx], c.io), 0, c.err());
  const roi = JSON.parse(c.out());
  // Random weights: whatever the detector says, the result is one of the documented paths.
  t.ok(['yolox', 'otsu', 'full'].includes(roi.method), `method ${roi.method}, box ${roi.box}`);
  t.ok(roi.method === 'yolox' ? roi.score >= 0.5 : roi.score === null);
  const o = capture();
  t.equal(await main(['roi', file, '--json', '--yolox', onnx, '--method', 'otsu'], o.io), 0, o.err());
  t.same(JSON.parse(o.out()).box, [0, 0, 1528, 2589], '--method otsu ignores the detector');
});

t.test('argument errors: one line, non-zero exit', async (t) => {
  const c = capture();
  t.equal(await main(['roi'], c.io), 2, 'usage error: exit 2');
  t.match(c.err(), /expected one DICOM file/);
  const d = capture();
  t.equal(await main(['preprocess', 'x.dcm'], d.io), 2, 'usage error: exit 2');
  t.match(d.err(), /--out is required/);
  const e = capture();
  t.equal(await main(['roi', path.join(os.tmpdir(), 'no-such-file.dcm'), '--json'], e.io), 1);
  t.match(e.err(), /no-such-file\.dcm/);
  const h = capture();
  t.equal(await main(['preprocess', '--help'], h.io), 0);
  t.match(h.out(), /SINGLE-CHANNEL 8-bit/);
});
