// Hostile input, part 1: the gate in front of the DICOM parser (lib/dicom/gate.ts, elementScan.ts,
// limits.ts, pixelBudget.ts). Every input is generated here, in seconds; the 8-million-element case
// runs only with RSNA_RELIABILITY_LARGE=1.
import { execFileSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import t from 'tap';
import { closeWasmPool, decodeFrame, nativeCodecs, parseDicom, readDicom } from '../../lib/dicom';
import { setDicomLimits } from '../../lib/dicom/limits';
import { readDicomMeta } from '../../lib/data/stage1/dicomMeta';
import { pixelsInFlight } from '../../lib/dicom/pixelBudget';
import { deepSequences, element, manyElements, part10, withUs } from '../helpers/hostileDicom';

t.teardown(closeWasmPool);
const LARGE = process.env.RSNA_RELIABILITY_LARGE === '1';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-gate-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
const fixture = (name: string): Buffer => fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'dicom', name));

/** Runs `p` and fails the test when it has not settled within `ms` (a hang). */
async function within<T>(ms: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms (hang)`)), ms); });
  try {
    return await Promise.race([p, limit]);
  } finally {
    clearTimeout(timer);
  }
}

t.test('special files are refused without reading them', async (t) => {
  const fifo = path.join(dir, 'fifo.dcm');
  execFileSync('mkfifo', [fifo]);
  await t.rejects(within(3000, readDicom(fifo)), { code: 'ERR_DICOM_NOT_A_FILE', message: /FIFO/ }, 'a FIFO: typed error, no hang');
  t.throws(() => readDicomMeta(fifo), { code: 'ERR_DICOM_META', message: /FIFO/ }, 'the header-only reader of dataset preparation does not block on it either');
  const zero = path.join(dir, 'zero.dcm');
  fs.symlinkSync('/dev/zero', zero);
  const rss = process.memoryUsage().rss;
  await t.rejects(within(3000, readDicom(zero)), { code: 'ERR_DICOM_NOT_A_FILE', message: /character device/ }, 'a symlink to /dev/zero: the target is checked');
  t.ok(process.memoryUsage().rss - rss < 64 << 20, 'and nothing was read');
  const sub = path.join(dir, 'folder.dcm');
  fs.mkdirSync(sub);
  await t.rejects(readDicom(sub), { code: 'ERR_DICOM_NOT_A_FILE', message: /directory/ }, 'a directory');
  const link = path.join(dir, 'link.dcm');
  fs.writeFileSync(path.join(dir, 'real.dcm'), fixture('MR_small_RLE.dcm'));
  fs.symlinkSync(path.join(dir, 'real.dcm'), link);
  t.equal((await readDicom(link)).rows, 64, 'a symlink to a regular DICOM file is read');
});

t.test('a sparse 1.9 GB non-DICOM file is refused after its first 132 bytes', async (t) => {
  const big = path.join(dir, 'sparse.dcm');
  const fd = fs.openSync(big, 'w');
  fs.ftruncateSync(fd, 1.9e9);
  fs.closeSync(fd);
  const rss = process.memoryUsage().rss;
  const t0 = Date.now();
  await t.rejects(readDicom(big), { code: 'ERR_DICOM_NOT_DICOM' });
  t.ok(Date.now() - t0 < 2000, `answered in ${Date.now() - t0} ms`);
  t.ok(process.memoryUsage().rss - rss < 64 << 20, 'without reading the file');
});

t.test('maxFileBytes refuses a larger file with the option that raises it', async (t) => {
  const file = path.join(dir, 'small.dcm');
  fs.writeFileSync(file, fixture('MR_small_RLE.dcm'));
  const previous = setDicomLimits({ maxFileBytes: 1000 });
  t.teardown(() => setDicomLimits(previous));
  await t.rejects(readDicom(file), { code: 'ERR_DICOM_FILE_TOO_LARGE', message: /maxFileBytes = 1000.*setDicomLimits\(\{ maxFileBytes \}\).*RSNA_MAMMO_MAX_FILE_BYTES/ });
});

t.test('element count and nesting depth have their own limits and codes', async (t) => {
  const previous = setDicomLimits({ maxElements: 5000 });
  t.teardown(() => setDicomLimits(previous));
  t.throws(() => parseDicom(manyElements(6000), 'many.dcm'), { code: 'ERR_DICOM_TOO_MANY_ELEMENTS', message: /maxElements = 5000/ });
  t.equal(parseDicom(manyElements(4000), 'fewer.dcm').rows, 0, '4,000 elements are fine under a 5,000 limit');
  const t0 = Date.now();
  t.throws(() => parseDicom(deepSequences(5000), 'deep.dcm'), { code: 'ERR_DICOM_TOO_DEEP', message: /maxDepth = 64/ }, '5,000 nested sequences: too deep, not "truncated"');
  t.ok(Date.now() - t0 < 2000, 'quickly');
  t.doesNotThrow(() => parseDicom(deepSequences(20), 'nested.dcm'), '20 levels are fine');
});

t.test('8 million tiny elements: refused in seconds (RSNA_RELIABILITY_LARGE=1)', { skip: LARGE ? false : 'opt-in: RSNA_RELIABILITY_LARGE=1' }, async (t) => {
  const bytes = manyElements(8_000_000);
  const t0 = Date.now();
  t.throws(() => parseDicom(bytes, 'eight-million.dcm'), { code: 'ERR_DICOM_TOO_MANY_ELEMENTS' });
  t.ok(Date.now() - t0 < 5000, `answered in ${Date.now() - t0} ms`);
});

t.test('a small file claiming a huge frame is refused before any allocation', async (t) => {
  const j2k = fixture('MR_small_jp2klossless.dcm');
  const huge = withUs(withUs(j2k, 'x00280010', 16384), 'x00280011', 16384);
  await t.rejects(decodeFrame(parseDicom(huge, 'huge.dcm')), { code: 'ERR_DICOM_TOO_LARGE', message: /maxFramePixels = 67108864.*RSNA_MAMMO_MAX_FRAME_PIXELS/ },
    'over the default per-image budget');
  const previous = setDicomLimits({ maxFramePixels: 2 ** 28, maxPixelsInFlight: 2 ** 28 });
  t.teardown(() => setDicomLimits(previous));
  for (const decoder of ['native', 'wasm'] as const) {
    if (decoder === 'native' && !nativeCodecs().has('openjpeg')) {
      t.comment('native: libopenjp2 is not compiled in, native case skipped');
      continue;
    }
    const rss = process.memoryUsage().rss;
    await t.rejects(decodeFrame(parseDicom(huge, 'huge.dcm'), 0, { decoder }), { code: 'ERR_DICOM_DECODE', message: /codestream is 64x64/ },
      `${decoder}: the codestream's own size is checked first`);
    t.ok(process.memoryUsage().rss - rss < 128 << 20, `${decoder}: no 512 MB output buffer was allocated`);
  }
});

t.test('the in-flight pixel budget bounds concurrent decodes', async (t) => {
  const rle = parseDicom(fixture('MR_small_RLE.dcm'), 'rle.dcm');
  const previous = setDicomLimits({ maxPixelsInFlight: 64 * 64 });
  t.teardown(() => setDicomLimits(previous));
  let peak = 0;
  const watch = setInterval(() => { peak = Math.max(peak, pixelsInFlight()); }, 0);
  const frames = await Promise.all(Array.from({ length: 6 }, () => decodeFrame(rle).then((f) => { peak = Math.max(peak, pixelsInFlight()); return f; })));
  clearInterval(watch);
  t.equal(frames.length, 6, 'all six decodes finish one after another');
  t.ok(peak <= 64 * 64, `at most one 64x64 frame in flight (peak ${peak})`);
  t.equal(pixelsInFlight(), 0, 'the budget is released');
  setDicomLimits({ maxPixelsInFlight: 1000 });
  await t.rejects(decodeFrame(rle), { code: 'ERR_DICOM_TOO_LARGE', message: /maxPixelsInFlight = 1000/ }, 'a frame larger than the whole budget is refused, not queued forever');
});

t.test('part10 helper sanity: a one-element dataset parses', async (t) => {
  t.equal(parseDicom(part10(element(0x0010, 0x0020, 'LO', Buffer.from('P1'))), 'one.dcm').patientId, 'P1');
});
