// The WASM path (npm codecs in worker threads) decodes every MANIFEST.json file whose transfer
// syntax it covers to the reference; files it does not cover are listed with the reason.
import t from 'tap';
import { closeWasmPool, decodeFrame, frameSha256, readDicom } from '../../lib/dicom';
import { RsnaMammoError } from '../../lib/errors';
import { needsShared } from '../helpers/shared';
import { dicomFile, dicomManifest, DICOM_DIR } from '../helpers/dicomManifest';

t.teardown(closeWasmPool);

t.test('WASM decode matches the reference decodings', needsShared(`${DICOM_DIR}/MANIFEST.json`), async (t) => {
  const notCovered: string[] = [];
  let decoded = 0;
  for (const entry of dicomManifest()) {
    const expected = entry.reference.frame0_sha256;
    if (!expected) continue;
    const image = await readDicom(dicomFile(entry));
    let frame;
    try {
      frame = await decodeFrame(image, 0, { decoder: 'wasm' });
    } catch (err) {
      if (err instanceof RsnaMammoError && err.code === 'ERR_DICOM_DECODER_UNAVAILABLE') {
        notCovered.push(`${entry.file} (${entry.transfer_syntax_uid}): ${err.message.split(': ').pop()}`);
        continue;
      }
      t.fail(`${entry.file}: ${(err as Error).message}`);
      continue;
    }
    decoded++;
    const sha = frameSha256(frame, image);
    if (frame.decoder === 'wasm-openjph' && entry.lossy_transfer_syntax) {
      // Lossy HTJ2K: OpenJPH rounds the irreversible wavelet differently from OpenJPEG/Grok (the
      // reference majority, README "Results"). Compare with the native OpenJPEG decode, itself
      // checked against the reference hash, allowing ±1.
      const native = await decodeFrame(image, 0, { decoder: 'native' });
      t.equal(frameSha256(native, image), expected, `${entry.file}: native decode = reference (the ±1 baseline)`);
      let maxDiff = 0;
      for (let i = 0; i < frame.pixels.length; i++) maxDiff = Math.max(maxDiff, Math.abs(frame.pixels[i] - native.pixels[i]));
      t.ok(maxDiff <= 1, `${entry.file} (${frame.decoder}) within ±1 of the reference decoding (max diff ${maxDiff})`);
    } else {
      t.equal(sha, expected, `${entry.file} (${frame.decoder}) frame 0 = reference`);
    }
  }
  t.ok(decoded >= 70, `${decoded} files decoded through WASM`);
  t.comment(`not covered by the WASM codecs (${notCovered.length}):\n${notCovered.join('\n')}`);
});
