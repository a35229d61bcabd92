// Hostile input, part 2: damaged pixel data is an error, never an image (lib/dicom/streamCheck.ts,
// the strict IJG warning handler in native/dicom/jpeg_ijg_impl.h), and two DICOM reading gaps (group
// 0002 repeated in the dataset, retired JPEG .53/.55). Damaged files are generated from the
// repository's fixtures and from ../shared/data/dicom (skipped visibly without it); the intact
// decodes are compared with the references in MANIFEST.json / fixtures/expected.json.
import { execFileSync } from 'child_process';
import crypto from 'crypto';
import fs from 'fs';
import os from 'os';
import path from 'path';
import t from 'tap';
const tap = t;
import { closeWasmPool, decodeFrame, frameSha256, nativeCodecFor, nativeCodecs, parseDicom } from '../../lib/dicom';
import type { DecoderChoice } from '../../lib/dicom';
import { setDicomLimits } from '../../lib/dicom/limits';
import { dicomAddon } from '../../lib/dicom/addon';
import type { DicomAddon } from '../../lib/dicom/addon';
import { sharedPath } from '../helpers/shared';
import { dicomManifest } from '../helpers/dicomManifest';
import { element, firstFragment, markerOffset, withCodestream, withUs } from '../helpers/hostileDicom';
import { isJp2, jp2Codestream } from '../../lib/dicom/codestream';

t.teardown(closeWasmPool);
const fixtureDir = path.join(__dirname, '..', 'fixtures', 'dicom');
const fixture = (name: string): Buffer => fs.readFileSync(path.join(fixtureDir, name));
const expected = JSON.parse(fs.readFileSync(path.join(fixtureDir, 'expected.json'), 'utf8')) as Record<string, { frame0_sha256: string }>;
// The first WASM decode starts the worker pool (seconds under ts-node): not part of any timing below.
t.before(async () => {
  const rle = fixture('MR_small_jpeg_ls_lossless.dcm');
  await decodeFrame(parseDicom(rle, 'warm-up'), 0, { decoder: 'wasm' });
});
const SHARED = 'data/dicom';
const shared = (rel: string): Buffer | undefined => {
  const p = sharedPath(`${SHARED}/${rel}`);
  return p ? fs.readFileSync(p) : undefined;
};
const manifestSha = (rel: string): string | undefined => dicomManifest().find((e) => e.file === rel)?.reference.frame0_sha256;

/** The decoders to try for a family: native when its codec is compiled in, and WASM. */
function decoders(nativeCodec: string, wasm = true): DecoderChoice[] {
  const out: DecoderChoice[] = [];
  if (nativeCodecs().has(nativeCodec as never)) out.push('native');
  if (wasm) out.push('wasm');
  return out;
}

/** Expects a typed error within `limitMs` (generous by default: a WASM codec's first use compiles it). */
async function refused(t: typeof tap, bytes: Buffer, label: string, decoder: DecoderChoice, code: RegExp, message?: RegExp, limitMs = 15_000): Promise<void> {
  const t0 = Date.now();
  try {
    const image = parseDicom(bytes, label);
    const frame = await decodeFrame(image, 0, { decoder });
    t.fail(`${label} (${decoder}): decoded to ${frame.rows}x${frame.columns} by ${frame.decoder} instead of an error`);
  } catch (err) {
    const e = err as { code?: string; message?: string };
    t.match(e.code, code, `${label} (${decoder}): ${e.code}`);
    if (message) t.match(e.message, message, `${label} (${decoder}): says why`);
    t.ok(Date.now() - t0 < limitMs, `${label} (${decoder}): answered in ${Date.now() - t0} ms`);
  }
}




const LOSSLESS = 'pydicom-data/JPGLosslessP14SV1_1s_1f_8b.dcm';
t.test('damaged JPEG Lossless: truncated, EOI mid-scan, SOF height beyond the data', { skip: sharedPath(`${SHARED}/${LOSSLESS}`) ? false : `../shared/${SHARED}/${LOSSLESS} is absent: skipped` }, async (t) => {
  const file = shared(LOSSLESS)!;
  const cs = firstFragment(file);
  const half = cs.length >> 1;
  const sof = markerOffset(cs, 0xc3);
  const tall = Buffer.from(cs);
  tall.writeUInt16BE(16384, sof + 5);
  const previous = setDicomLimits({ maxFramePixels: 2 ** 26 });
  t.teardown(() => setDicomLimits(previous));
  for (const decoder of decoders('gdcm-jpeg')) {
    await refused(t, withCodestream(file, cs.subarray(0, half)), 'lossless truncated at 50%', decoder, /^ERR_DICOM_TRUNCATED$/);
    await refused(t, withCodestream(file, Buffer.concat([cs.subarray(0, half), Buffer.from([0xff, 0xd9]), cs.subarray(half)])), 'lossless with EOI mid-scan', decoder,
      /^ERR_DICOM_DECODE$/, /EOI/);
    await refused(t, withUs(withCodestream(file, tall), 'x00280010', 16384), 'lossless with SOF height 16384', decoder, /^ERR_DICOM_DECODE$/, /cannot encode/);
  }
});

const BASELINE = 'pylibjpeg-data/JPEGBaseline/JPEGBaseline_1s_1f_u_08_08.dcm';
t.test('a zeroed baseline scan is an error', { skip: sharedPath(`${SHARED}/${BASELINE}`) ? false : `../shared/${SHARED}/${BASELINE} is absent: skipped` }, async (t) => {
  const file = shared(BASELINE)!;
  const cs = Buffer.from(firstFragment(file));
  const sos = markerOffset(cs, 0xda);
  const eoi = cs.lastIndexOf(Buffer.from([0xff, 0xd9]));
  cs.fill(0, sos + 2 + cs.readUInt16BE(sos + 2), eoi);
  for (const decoder of decoders('gdcm-jpeg')) await refused(t, withCodestream(file, cs), 'baseline with a zeroed scan', decoder, /^ERR_DICOM_(DECODE|CORRUPT)$/);
});

t.test('a J2K codestream with a missing tile is an error; the whole one decodes to its source', { skip: hasOpjCompress() ? false : 'opj_compress (libopenjp2-tools) is absent: skipped' }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-j2k-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const pixels = Buffer.alloc(64 * 64 * 2);
  for (let i = 0; i < 64 * 64; i++) pixels.writeUInt16BE((i * 7) % 2000, 2 * i); // PGM is big endian
  fs.writeFileSync(path.join(dir, 'in.pgm'), Buffer.concat([Buffer.from('P5\n64 64\n65535\n'), pixels]));
  execFileSync('opj_compress', ['-i', path.join(dir, 'in.pgm'), '-o', path.join(dir, 'out.j2k'), '-t', '32,32'], { stdio: 'ignore' });
  const cs = fs.readFileSync(path.join(dir, 'out.j2k'));
  // The MR_small fixture is 64x64, 16 bits, signed: make it unsigned for the PGM's values.
  const base = withUs(fixture('MR_small_jp2klossless.dcm'), 'x00280103', 0);
  const sots: number[] = [];
  for (let p = cs.indexOf(Buffer.from([0xff, 0x90])); p >= 0 && p + 10 < cs.length; p += cs.readUInt32BE(p + 6)) {
    sots.push(p);
    if (cs.readUInt32BE(p + 6) === 0) break;
  }
  t.equal(sots.length, 4, 'opj_compress wrote 4 tile-parts');
  const missing = Buffer.concat([cs.subarray(0, sots[2]), cs.subarray(sots[3])]);
  for (const decoder of decoders('openjpeg')) {
    const whole = await decodeFrame(parseDicom(withCodestream(base, cs), 'tiled.dcm'), 0, { decoder });
    t.same(Array.from(whole.pixels.slice(0, 4096)), Array.from({ length: 4096 }, (_, i) => (i * 7) % 2000), `${decoder}: the 4-tile codestream decodes to its source`);
    await refused(t, withCodestream(base, missing), 'J2K without tile 2', decoder, /^ERR_DICOM_DECODE$/, /3 of its 4 tiles/);
  }
});

function hasOpjCompress(): boolean {
  try {
    execFileSync('opj_compress', ['-h'], { stdio: 'ignore' });
    return true;
  } catch (err) {
    return (err as { status?: number }).status !== undefined && (err as { code?: string }).code !== 'ENOENT';
  }
}

t.test('a truncated 630-byte JPEG-LS fails fast', async (t) => {
  const file = fixture('MR_small_jpeg_ls_lossless.dcm');
  const cut = withCodestream(file, firstFragment(file).subarray(0, 630));
  for (const decoder of decoders('charls')) await refused(t, cut, 'JPEG-LS cut at 630 bytes', decoder, /^ERR_DICOM_TRUNCATED$/, undefined, 2000); // CharLS was warmed up
});

t.test('a J2K with an invalid COM marker gets a clear message', async (t) => {
  const file = fixture('MR_small_jp2klossless.dcm');
  const cs = Buffer.from(firstFragment(file));
  const com = cs.indexOf(Buffer.from([0xff, 0x64]));
  cs.writeUInt16BE(2, com + 2); // Lcom below its minimum of 4 (Lcom + Rcom)
  for (const decoder of decoders('openjpeg')) await refused(t, withCodestream(file, cs), 'J2K with COM length 2', decoder, /^ERR_DICOM_DECODE$/, /invalid COM marker segment/);
});

t.test('group 0002 repeated in the dataset does not override the File Meta transfer syntax', async (t) => {
  const file = fixture('MR_small_jp2klossless.dcm');
  const metaEnd = 132 + 12 + file.readUInt32LE(140);
  const repeated = Buffer.concat([file.subarray(0, metaEnd), element(0x0002, 0x0010, 'UI', Buffer.from('1.2.840.10008.1.2.1\0')), file.subarray(metaEnd)]);
  const image = parseDicom(repeated, 'repeated-meta.dcm');
  t.equal(image.transferSyntaxUID, '1.2.840.10008.1.2.4.90', 'the File Meta transfer syntax is the one in force');
  t.equal(frameSha256(await decodeFrame(image), image), expected['MR_small_jp2klossless.dcm'].frame0_sha256, 'and the frame decodes to the reference');
});

const EXTENDED = 'nema-wg04/JPLY/MR4_JPLY.dcm';
t.test('retired JPEG .53 and .55 are decoded', { skip: sharedPath(`${SHARED}/${EXTENDED}`) ? false : `../shared/${SHARED}/${EXTENDED} is absent: skipped` }, async (t) => {
  if (!nativeCodecs().has('gdcm-jpeg')) return t.skip('the GDCM IJG codecs are not compiled in');
  const file = shared(EXTENDED)!;
  for (const uid of ['1.2.840.10008.1.2.4.53', '1.2.840.10008.1.2.4.55']) {
    const text = file.toString('latin1').split('1.2.840.10008.1.2.4.51').join(uid); // same length: offsets unchanged
    const image = parseDicom(Buffer.from(text, 'latin1'), `MR4 as ${uid}`);
    t.equal(image.transferSyntaxUID, uid);
    t.equal(frameSha256(await decodeFrame(image), image), manifestSha(EXTENDED), `${uid}: the frame equals the DCMTK/GDCM reference`);
  }
});

t.test('fallback: a codec refusing a whole stream hands it to the next decoder, which is named; damage is not handed on', async (t) => {
  if (!nativeCodecs().has('openjpeg')) return t.skip('libopenjp2 is not compiled in: no native codec to fall back from');
  const addon = dicomAddon() as { dicomDecodeFrame: DicomAddon['dicomDecodeFrame'] };
  const original = addon.dicomDecodeFrame;
  t.teardown(() => { addon.dicomDecodeFrame = original; });
  const file = fixture('MR_small_jp2klossless.dcm');
  const refuse = (code: string) => () => Promise.reject(Object.assign(new Error('openjpeg: simulated refusal'), { code }));
  addon.dicomDecodeFrame = refuse('ERR_DICOM_DECODE');
  const image = parseDicom(file, 'fallback.dcm');
  const frame = await decodeFrame(image);
  // The first native J2K codec of this build (Grok in a source build that found it) is the one refused.
  t.match(frame.decoder, new RegExp(`^wasm-openjpeg \\(after ${nativeCodecFor('jpeg2000')}: openjpeg: simulated refusal\\)$`), `decoder: ${frame.decoder}`);
  t.equal(frameSha256(frame, image), expected['MR_small_jp2klossless.dcm'].frame0_sha256, 'the next decoder gives the reference frame');
  addon.dicomDecodeFrame = refuse('ERR_DICOM_CORRUPT');
  await t.rejects(decodeFrame(image), { code: 'ERR_DICOM_CORRUPT' }, 'a corrupt-data verdict is final');
});

const RSNA_J2K = 'rsna-kaggle/test_images/10008/1591370361.dcm';
t.test('damaged J2K tile data that libopenjp2 rejects is not handed to the lenient WASM decoder', { skip: sharedPath(`${SHARED}/${RSNA_J2K}`) ? false : `../shared/${SHARED}/${RSNA_J2K} is absent: skipped` }, async (t) => {
  if (!nativeCodecs().has('openjpeg')) return t.skip('libopenjp2 is not compiled in');
  const file = shared(RSNA_J2K)!;
  const at = Math.floor(file.length * 0.7); // inside the tile data of the JP2 fragment
  const damaged = Buffer.concat([file.subarray(0, at), Buffer.from([0xff, 0xd9]), file.subarray(at)]);
  // libopenjp2 fails the decode; Grok (source builds) warns about the damage, which is refused the same way.
  await refused(t, damaged, 'RSNA J2K with 2 bytes inserted in the tile data', 'auto', /^ERR_DICOM_CORRUPT$/, /openjpeg: decode failed|grok: damaged codestream/);
});

// Damaged tile data through every decoder path (ALGORITHMS.md §1.2.5): the WASM codecs (the only
// ones on a machine without the native codec packages, and HTJ2K's default) must refuse what the
// strict native libopenjp2 refuses, with ERR_DICOM_CORRUPT naming the file; intact files decode to
// their MANIFEST.json references through both. Damaged copies are made here from ../shared.
const HTJ2K = 'pydicom-data/HTJ2KLossless_08_RGB.dcm';
const HTJ2K_LOSSY = 'pydicom-data/HTJ2K_08_RGB.dcm';
const needs = (...rel: string[]): { skip: string | false } => {
  const missing = rel.filter((r) => !sharedPath(`${SHARED}/${r}`));
  return { skip: missing.length ? `../shared/${SHARED}/${missing.join(', ')} absent: skipped` : false };
};

/** The bare codestream of a single-fragment J2K file (JP2 wrapper removed) and a file holding `cs`. */
function j2k(file: Buffer): Buffer {
  const frag = firstFragment(file);
  return isJp2(frag) ? Buffer.from(jp2Codestream(frag)!) : Buffer.from(frag);
}

/** Damage at 70 % of the codestream (inside the tile data of these single-tile files). */
function damaged(cs: Buffer, how: 'zero4096' | 'flip1' | 'insert2' | 'delete2' | 'noise4096' | 'psot0-delete2'): Buffer {
  const at = Math.floor(cs.length * 0.7);
  const out = Buffer.from(cs);
  switch (how) {
    case 'zero4096': return out.fill(0, at, at + 4096);
    case 'flip1': out[at] ^= 0x10; return out;
    case 'noise4096': for (let i = 0; i < 4096; i++) out[at + i] = (i * 2654435761) >>> 24; return out;
    case 'insert2': return Buffer.concat([cs.subarray(0, at), Buffer.from([0x5a, 0xa5]), cs.subarray(at)]);
    case 'delete2': return Buffer.concat([cs.subarray(0, at), cs.subarray(at + 2)]);
    case 'psot0-delete2': { // Psot 0: the last tile-part runs to EOC, so its length proves nothing
      out.writeUInt32BE(0, out.indexOf(Buffer.from([0xff, 0x90])) + 6);
      return Buffer.concat([out.subarray(0, at), out.subarray(at + 2)]);
    }
  }
}

t.test('intact J2K and HTJ2K decode to the MANIFEST references through native and WASM', needs(RSNA_J2K, HTJ2K, HTJ2K_LOSSY), async (t) => {
  for (const rel of [RSNA_J2K, HTJ2K, HTJ2K_LOSSY]) {
    const image = parseDicom(shared(rel)!, rel);
    for (const decoder of [...decoders('openjpeg'), 'auto'] as DecoderChoice[]) {
      const frame = await decodeFrame(image, 0, { decoder });
      t.equal(frameSha256(frame, image), manifestSha(rel), `${rel} (${decoder}: ${frame.decoder}) = reference`);
      if (decoder === 'wasm') t.equal(frame.decoder, 'wasm-openjpeg', `${rel}: the WASM decoder is libopenjp2 (HTJ2K too)`);
    }
  }
});

t.test('damaged J2K tile data is ERR_DICOM_CORRUPT through native and WASM', needs(RSNA_J2K), async (t) => {
  const file = shared(RSNA_J2K)!;
  const cs = j2k(file);
  for (const decoder of decoders('openjpeg')) {
    // Tile-part lengths that no longer end at EOC: found before any decoder runs.
    await refused(t, withCodestream(file, damaged(cs, 'insert2')), 'RSNA J2K, 2 bytes inserted in the tile data', decoder, /^ERR_DICOM_CORRUPT$/, /before the EOC marker \(data inserted/);
    await refused(t, withCodestream(file, damaged(cs, 'delete2')), 'RSNA J2K, 2 bytes deleted from the tile data', decoder, /^ERR_DICOM_CORRUPT$/, /inside the last tile-part \(data deleted/);
    // Psot 0 hides the deletion from the structure: the decoder's own report must refuse it.
    await refused(t, withCodestream(file, damaged(cs, 'psot0-delete2')), 'RSNA J2K (Psot 0), 2 bytes deleted', decoder, /^ERR_DICOM_CORRUPT$/,
      decoder === 'wasm' ? /^RSNA J2K \(Psot 0\), 2 bytes deleted: openjpeg: \[ERROR\]/ : /openjpeg: decode failed/);
    // The JP2 box keeps its length, so an insertion pushes the EOC out of the codestream.
    const at = Math.floor(firstFragment(file).length * 0.7);
    const frag = firstFragment(file);
    await refused(t, withCodestream(file, Buffer.concat([frag.subarray(0, at), Buffer.from([0xff, 0xd9]), frag.subarray(at)])), 'RSNA JP2, 2 bytes inserted', decoder,
      /^ERR_DICOM_CORRUPT$/, /openjpeg: (decode failed|\[WARNING\] Stream does not end with EOC)/);
  }
  const intactPsot0 = Buffer.from(cs);
  intactPsot0.writeUInt32BE(0, intactPsot0.indexOf(Buffer.from([0xff, 0x90])) + 6);
  for (const decoder of decoders('openjpeg')) {
    const image = parseDicom(withCodestream(file, intactPsot0), 'RSNA J2K with Psot 0');
    t.equal(frameSha256(await decodeFrame(image, 0, { decoder }), image), manifestSha(RSNA_J2K), `${decoder}: the intact stream with Psot 0 is no damage (its EOC warning is not a report)`);
  }
});

t.test('damaged HTJ2K data is ERR_DICOM_CORRUPT through native, WASM and auto', needs(HTJ2K), async (t) => {
  const file = shared(HTJ2K)!;
  const cs = j2k(file);
  for (const decoder of [...decoders('openjpeg'), 'auto'] as DecoderChoice[]) {
    for (const how of ['zero4096', 'flip1', 'psot0-delete2'] as const) {
      await refused(t, withCodestream(file, damaged(cs, how)), `HTJ2K ${how}`, decoder, /^ERR_DICOM_CORRUPT$/, /^HTJ2K [\w-]+: openjpeg: (decode failed|\[ERROR\] (Malformed HT codeblock|read: segment too long))/);
    }
    await refused(t, withCodestream(file, damaged(cs, 'insert2')), 'HTJ2K insert2', decoder, /^ERR_DICOM_CORRUPT$/, /data inserted/);
  }
  // OpenJPH (native), reached by decodeFrame only where libopenjp2 is absent: strict too.
  if (!nativeCodecs().has('openjph')) return t.skip('OpenJPH is not compiled in');
  const image = parseDicom(file, HTJ2K);
  const spec = { rows: image.rows, columns: image.columns, samplesPerPixel: image.samplesPerPixel, bitsAllocated: image.bitsAllocated, bitsStored: image.bitsStored, isSigned: false, threads: 0 };
  const intact = await dicomAddon().dicomDecodeFrame('openjph', cs, spec);
  t.equal(crypto.createHash('sha256').update(Buffer.from(intact.pixels)).digest('hex'), manifestSha(HTJ2K), `${intact.decoder}: the intact file = reference`);
  for (const how of ['zero4096', 'flip1', 'psot0-delete2'] as const) {
    await t.rejects(dicomAddon().dicomDecodeFrame('openjph', damaged(cs, how), spec), { code: 'ERR_DICOM_CORRUPT', message: /^openjph: ojph error/ }, `openjph: HTJ2K ${how} is ERR_DICOM_CORRUPT`);
  }
});

t.test('what no decoder can see: same-length damage inside MQ-coded J2K data decodes alike everywhere', needs(RSNA_J2K), async (t) => {
  // EBCOT code-block bytes carry no redundancy: overwritten bytes that keep every length decode to
  // other pixels without any error in libopenjp2 2.5.0 (strict) or 2.5.4 (WASM). Documented, not hidden.
  const file = shared(RSNA_J2K)!;
  const image = parseDicom(withCodestream(file, damaged(j2k(file), 'noise4096')), 'RSNA J2K, 4096 bytes overwritten');
  const hashes = new Set<string>();
  for (const decoder of decoders('openjpeg')) hashes.add(frameSha256(await decodeFrame(image, 0, { decoder }), image));
  t.equal(hashes.size, 1, 'native and WASM return the same frame');
  t.not([...hashes][0], manifestSha(RSNA_J2K), 'and it is not the intact image');
});
