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
    // HTJ2K too: the WASM codec is libopenjp2, the reference decoder, so lossy files match exactly.
    t.equal(frameSha256(frame, image), expected, `${entry.file} (${frame.decoder}) frame 0 = reference`);
  }
  t.ok(decoded >= 70, `${decoded} files decoded through WASM`);
  t.comment(`not covered by the WASM codecs (${notCovered.length}):\n${notCovered.join('\n')}`);
});
