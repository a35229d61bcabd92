// Every MANIFEST.json file with a reference decodes through the native path (compiled codecs on
// the libuv pool; uncompressed frames in JS) to its frame0_sha256 / all_frames_sha256.
import crypto from 'crypto';
import t from 'tap';
import { decodeFrame, frameSha256, readDicom, nativeCodecs } from '../../lib/dicom';
import { needsShared } from '../helpers/shared';
import { dicomFile, dicomManifest, DICOM_DIR } from '../helpers/dicomManifest';

t.test('native decode matches the reference decodings', needsShared(`${DICOM_DIR}/MANIFEST.json`), async (t) => {
  t.comment(`native codecs compiled in: ${[...nativeCodecs()].join(', ')}`);
  const entries = dicomManifest();
  t.ok(entries.length >= 88, 'manifest lists the corpus');
  const cannot: string[] = [];
  for (const entry of entries) {
    const expected = entry.reference.frame0_sha256;
    if (!expected) {
      cannot.push(`${entry.file}: no reference decoding in the manifest`);
      continue;
    }
    const image = await readDicom(dicomFile(entry));
    let frame;
    try {
      frame = await decodeFrame(image, 0, { decoder: 'native' });
    } catch (err) {
      cannot.push(`${entry.file}: ${(err as Error).message}`);
      t.fail(`${entry.file} failed to decode natively: ${(err as Error).message}`);
      continue;
    }
    t.equal(frameSha256(frame, image), expected, `${entry.file} (${frame.decoder}) frame 0 = reference`);
    t.equal(frame.pixels.length, entry.rows * entry.columns * image.samplesPerPixel, `${entry.file} sample count`);
    if (entry.reference.all_frames_sha256) {
      const hash = crypto.createHash('sha256');
      for (let f = 0; f < image.numberOfFrames; f++) {
        const fr = await decodeFrame(image, f, { decoder: 'native' });
        hash.update(Buffer.from(fr.pixels.buffer, fr.pixels.byteOffset, fr.pixels.byteLength));
      }
      t.equal(hash.digest('hex'), entry.reference.all_frames_sha256, `${entry.file}: all ${image.numberOfFrames} frames = reference`);
    }
  }
  t.comment(cannot.length ? `not decoded natively:\n${cannot.join('\n')}` : 'every manifest file decoded natively');
});
