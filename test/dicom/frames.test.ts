// Frames are assembled from fragments via the Basic Offset Table (PS3.5 A.4), or without one by
// fragment-per-frame or codestream starts; never by a byte search. The 10-frame emri JPEG-LS file is
// re-encapsulated here with every frame split over two fragments, with and without a BOT, and must
// still decode to the manifest's all_frames_sha256.
import crypto from 'crypto';
import t from 'tap';
import { decodeFrame, readDicom } from '../../lib/dicom';
import type { DicomImage, PixelDataLocation } from '../../lib/dicom';
import { encapsulatedFrameBytes } from '../../lib/dicom/frames';
import { needsShared } from '../helpers/shared';
import { dicomFile, dicomManifest, DICOM_DIR } from '../helpers/dicomManifest';

const FILE = 'pydicom-data/emri_small_jpeg_ls_lossless.dcm';

/** The frames' codestreams, each split in two fragments, laid out as items after an offset table. */
function splitFragments(codestreams: Uint8Array[], withBot: boolean): PixelDataLocation {
  const parts = codestreams.flatMap((c) => [c.subarray(0, c.length >> 1), c.subarray(c.length >> 1)]);
  const bytes = Buffer.alloc(parts.reduce((a, p) => a + p.length + 8, 0));
  const fragments: { position: number; length: number }[] = [];
  const bot: number[] = [];
  let offset = 0;
  parts.forEach((p, i) => {
    if (i % 2 === 0) bot.push(offset);
    bytes.writeUInt32LE(0xe000fffe, offset); // item tag (FFFE,E000)
    bytes.writeUInt32LE(p.length, offset + 4);
    bytes.set(p, offset + 8);
    fragments.push({ position: offset + 8, length: p.length });
    offset += p.length + 8;
  });
  return { bytes, offset: 0, length: bytes.length, fragments, basicOffsetTable: withBot ? bot : [] };
}

t.test('multi-fragment frames via the Basic Offset Table and via codestream starts', needsShared(`${DICOM_DIR}/MANIFEST.json`), async (t) => {
  const entry = dicomManifest().find((e) => e.file === FILE)!;
  const image = await readDicom(dicomFile(entry));
  t.equal(image.numberOfFrames, 10);
  const codestreams = Array.from({ length: 10 }, (_, f) => Uint8Array.from(encapsulatedFrameBytes(image, image.pixelData!, f)));
  for (const withBot of [true, false]) {
    const pixelData = splitFragments(codestreams, withBot);
    const variant = Object.assign(Object.create(image) as DicomImage, { pixelData });
    const hash = crypto.createHash('sha256');
    for (let f = 0; f < 10; f++) {
      const frame = await decodeFrame(variant, f);
      hash.update(Buffer.from(frame.pixels.buffer, frame.pixels.byteOffset, frame.pixels.byteLength));
    }
    t.equal(hash.digest('hex'), entry.reference.all_frames_sha256, `20 fragments → 10 frames ${withBot ? 'by the BOT' : 'by codestream starts (no BOT)'}`);
  }
  // A BOT that points inside a fragment is not trusted; with no other way to split, a typed error.
  const bad = splitFragments(codestreams, true);
  bad.basicOffsetTable = bad.basicOffsetTable!.map((o, i) => (i ? o + 2 : o));
  for (const f of bad.fragments!) bad.bytes[f.position] = 0; // hide the codestream starts too
  const variant = Object.assign(Object.create(image) as DicomImage, { pixelData: bad });
  await t.rejects(decodeFrame(variant, 3), { code: 'ERR_DICOM_FRAMES' });
});
