// Every JPEG 2000 file of the shared corpus (.90 and .91) decodes to its MANIFEST.json reference with
// every J2K decoder this build has: libopenjp2 (the prebuilt's), Grok (source builds that found it)
// and the WASM OpenJPEG. The choice of decoder never changes a pixel. A decoder that is not built is
// skipped by name. A truncated codestream is ERR_DICOM_CORRUPT with each native decoder (strict decoding).
import t from 'tap';
import { closeWasmPool, decodeFrame, frameSha256, nativeCodecFor, nativeCodecs, readDicom } from '../../lib/dicom';
import type { NativeCodecName } from '../../lib/dicom';
import { dicomAddon } from '../../lib/dicom/addon';
import { encapsulatedFrameBytes } from '../../lib/dicom/frames';
import { needsShared } from '../helpers/shared';
import { dicomFile, dicomManifest, DICOM_DIR } from '../helpers/dicomManifest';

t.teardown(closeWasmPool);

const J2K_SYNTAXES = new Set(['1.2.840.10008.1.2.4.90', '1.2.840.10008.1.2.4.91']);
const NATIVE_J2K: NativeCodecName[] = ['openjpeg', 'grok'];

t.test('every J2K file equals its manifest hash with every built decoder', needsShared(`${DICOM_DIR}/MANIFEST.json`), async (t) => {
  const entries = dicomManifest().filter((e) => J2K_SYNTAXES.has(e.transfer_syntax_uid) && e.reference.frame0_sha256);
  t.ok(entries.length >= 30, `${entries.length} J2K files with a reference`);
  const decoders: Array<{ name: string; options: Parameters<typeof decodeFrame>[2] }> = [];
  for (const codec of NATIVE_J2K) {
    if (nativeCodecs().has(codec)) decoders.push({ name: codec, options: { nativeCodec: codec } });
    else t.skip(`native ${codec} is not in this build (scripts/gyp-codecs.js did not find it): not checked`);
  }
  decoders.push({ name: 'wasm openjpeg', options: { decoder: 'wasm' } });
  t.comment(`auto uses ${nativeCodecFor('jpeg2000') ?? 'wasm'} for JPEG 2000`);
  for (const d of decoders) {
    let equal = 0;
    for (const entry of entries) {
      const image = await readDicom(dicomFile(entry));
      const frame = await decodeFrame(image, 0, d.options);
      if (frameSha256(frame, image) === entry.reference.frame0_sha256) equal++;
      else t.fail(`${d.name} (${frame.decoder}): ${entry.file} differs from the manifest`);
      if (d.name !== 'wasm openjpeg') t.match(frame.decoder, new RegExp(`^${d.name}-\\d`), `${entry.file}: ${frame.decoder}`);
    }
    t.equal(equal, entries.length, `${d.name}: all ${entries.length} J2K files bit-exact`);
  }
});

t.test('a truncated codestream after a good header is ERR_DICOM_CORRUPT with each native decoder', needsShared(`${DICOM_DIR}/MANIFEST.json`), async (t) => {
  // Through the addon directly: decodeFrame's own structure check (lib/dicom/streamCheck.ts) would
  // refuse the cut stream before any decoder sees it.
  const files = dicomManifest().filter((e) => J2K_SYNTAXES.has(e.transfer_syntax_uid)).slice(0, 3);
  for (const codec of NATIVE_J2K) {
    if (!nativeCodecs().has(codec)) {
      t.skip(`native ${codec} is not in this build: strictness not checked`);
      continue;
    }
    for (const entry of files) {
      const image = await readDicom(dicomFile(entry));
      const bytes = encapsulatedFrameBytes(image, image.pixelData!, 0);
      const spec = { rows: image.rows, columns: image.columns, samplesPerPixel: image.samplesPerPixel, bitsAllocated: image.bitsAllocated,
        bitsStored: image.bitsStored, isSigned: image.pixelRepresentation === 1, threads: 1 };
      for (const keep of [0.5, 0.99]) {
        const err = await dicomAddon().dicomDecodeFrame(codec, bytes.subarray(0, Math.floor(bytes.length * keep)), spec).then(() => undefined, (e: unknown) => e);
        t.equal((err as { code?: string } | undefined)?.code, 'ERR_DICOM_CORRUPT', `${codec}, ${entry.file} cut to ${keep * 100} %: ${(err as Error | undefined)?.message}`);
      }
    }
  }
});

t.test('a forced native codec must be built and fit the syntax', async (t) => {
  const fake = { transferSyntaxUID: '1.2.840.10008.1.2.4.90' } as Parameters<typeof decodeFrame>[0];
  await t.rejects(decodeFrame(fake, 0, { nativeCodec: 'charls' }), /./, 'charls for JPEG 2000 is refused');
});
