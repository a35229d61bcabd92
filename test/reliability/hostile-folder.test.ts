// Hostile input, part 6: `predict` over a folder holding the suite's hostile files next to real
// images finishes, lists every refused or skipped entry with its reason, and predicts the real images
// exactly as a run over the real images alone.
import { execFileSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { Writable } from 'stream';
import t from 'tap';
import { main } from '../../lib/cli/main';
import { closeWasmPool } from '../../lib/dicom';
import { repoRoot } from '../helpers/shared';
import { deepSequences, firstFragment, manyElements, withCodestream, withUs } from '../helpers/hostileDicom';
import { randomFolds } from '../pipeline/demoModel';

t.teardown(closeWasmPool);
const example = path.join(repoRoot, 'assets/example/rsna-breast-cancer-detection/test_images');
const fixture = (name: string): Buffer => fs.readFileSync(path.join(repoRoot, 'test', 'fixtures', 'dicom', name));
const sink = (): { stream: Writable; text: () => string } => {
  let text = '';
  return { stream: new Writable({ write(c, _e, cb) { text += String(c); cb(); } }), text: () => text };
};

/** Every hostile entry, with the code (refused by the reader) or the skip reason expected for it. */
function writeHostile(dir: string): { refused: Record<string, RegExp>; skipped: Record<string, RegExp> } {
  const j2k = fixture('MR_small_jp2klossless.dcm');
  const jls = fixture('MR_small_jpeg_ls_lossless.dcm');
  const com = Buffer.from(firstFragment(j2k));
  com.writeUInt16BE(2, com.indexOf(Buffer.from([0xff, 0x64])) + 2);
  fs.writeFileSync(path.join(dir, 'huge-claim.dcm'), withUs(withUs(j2k, 'x00280010', 16384), 'x00280011', 16384));
  fs.writeFileSync(path.join(dir, 'jpegls-630.dcm'), withCodestream(jls, firstFragment(jls).subarray(0, 630)));
  fs.writeFileSync(path.join(dir, 'j2k-bad-com.dcm'), withCodestream(j2k, com));
  fs.writeFileSync(path.join(dir, 'many-elements.dcm'), manyElements(1_100_000));
  fs.writeFileSync(path.join(dir, 'deep.dcm'), deepSequences(5000));
  fs.writeFileSync(path.join(dir, 'text.dcm'), 'not a DICOM at all\n');
  const sparse = fs.openSync(path.join(dir, 'sparse.dcm'), 'w');
  fs.ftruncateSync(sparse, 1.9e9);
  fs.closeSync(sparse);
  execFileSync('mkfifo', [path.join(dir, 'fifo.dcm')]);
  fs.symlinkSync('/dev/zero', path.join(dir, 'zero.dcm'));
  fs.symlinkSync('.', path.join(dir, 'loop.dcm'));
  fs.symlinkSync(path.join(dir, 'nowhere'), path.join(dir, 'dangling.dcm'));
  fs.writeFileSync(path.join(dir, 'notes.txt'), 'hello');
  return {
    refused: {
      'huge-claim.dcm': /ERR_DICOM_TOO_LARGE/, 'jpegls-630.dcm': /ERR_DICOM_TRUNCATED/, 'j2k-bad-com.dcm': /ERR_DICOM_DECODE/,
      'many-elements.dcm': /ERR_DICOM_TOO_MANY_ELEMENTS/, 'deep.dcm': /ERR_DICOM_TOO_DEEP/, 'text.dcm': /ERR_DICOM_NOT_DICOM/,
      'sparse.dcm': /ERR_DICOM_NOT_DICOM/, 'fifo.dcm': /ERR_DICOM_NOT_A_FILE/, 'zero.dcm': /ERR_DICOM_NOT_A_FILE/,
    },
    skipped: { 'loop.dcm': /symlink to a folder/, 'dangling.dcm': /target does not exist/, 'notes.txt': /not a \.dcm file/ },
  };
}

interface PredictJson {
  breasts: { predictionId: string; probability: number }[];
  images: { key: string; probability: number; foldProbabilities: number[] }[];
  errors: { key: string; code: string; message: string }[];
  skipped: { path: string; reason: string }[];
}

t.test('a folder of hostile files next to real images', async (t) => {
  const models = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-hostile-models-'));
  const clean = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-clean-'));
  const hostile = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-hostile-'));
  t.teardown(() => [models, clean, hostile].forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  await randomFolds(models);
  for (const [patient, image] of [['902', '9021'], ['902', '9024'], ['901', '9012']]) {
    for (const d of [clean, hostile]) fs.copyFileSync(path.join(example, patient, `${image}.dcm`), path.join(d, `${image}.dcm`));
  }
  const expected = writeHostile(hostile);
  const run = async (dir: string): Promise<{ code: number; json: PredictJson; stdout: string; stderr: string }> => {
    const out = sink();
    const err = sink();
    const file = path.join(models, `${path.basename(dir)}.json`);
    const code = await main(['predict', dir, '--models', models, '--roi', 'otsu', '--out', file, '--quiet'], { stdout: out.stream, stderr: err.stream });
    return { code, json: JSON.parse(fs.readFileSync(file, 'utf8')) as PredictJson, stdout: out.text(), stderr: err.text() };
  };
  const a = await run(clean);
  const b = await run(hostile);
  t.equal(a.code, 0, 'the clean run exits 0');
  t.equal(b.code, 3, 'the hostile run finishes and exits 3 (files written, some images failed: README exit codes)');
  const probs = (r: PredictJson): Record<string, number[]> => Object.fromEntries(r.images.map((i) => [path.basename(i.key), [...i.foldProbabilities, i.probability]]));
  t.same(probs(b.json), probs(a.json), 'the real images get exactly the same probabilities');
  t.same(b.json.breasts, a.json.breasts, 'and the same breasts');
  const refused = Object.fromEntries(b.json.errors.map((e) => [path.basename(e.key), `${e.code}: ${e.message}`]));
  t.same(Object.keys(refused).sort(), Object.keys(expected.refused).sort(), 'every hostile file is listed as refused');
  for (const [name, code] of Object.entries(expected.refused)) {
    t.match(refused[name], code, `${name}: ${refused[name]}`);
    t.match(b.stdout, new RegExp(`^error\\t.*${name.replace('.', '\\.')}\\t`, 'm'), `${name} is printed`);
  }
  const skipped = Object.fromEntries(b.json.skipped.map((s) => [path.basename(s.path), s.reason]));
  for (const [name, reason] of Object.entries(expected.skipped)) {
    t.match(skipped[name], reason, `${name} skipped: ${skipped[name]}`);
    t.match(b.stderr, new RegExp(`skipped\\t.*${name.replace('.', '\\.')}\\t`), `${name} skip is printed`);
  }
});
