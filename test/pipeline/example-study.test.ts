/**
 * The bundled example study (assets/example) is exactly what our generator writes: the DICOMs are
 * ours to redistribute. Also checks the files' key attributes by reading the bytes directly.
 */
import t from 'tap';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { EXAMPLE_IMAGES, makeExampleStudy } from '../../scripts/make-example-study';
import { repoRoot } from '../helpers/shared';

t.test('assets/example equals a fresh run of scripts/make-example-study.ts', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-example-'));
  const files = makeExampleStudy(dir);
  t.equal(files.length, 9);
  for (const rel of files) {
    const committed = fs.readFileSync(path.join(repoRoot, 'assets', 'example', rel));
    t.ok(committed.equals(fs.readFileSync(path.join(dir, rel))), `${rel} identical`);
  }
});

t.test('each DICOM has the Part 10 header, the transfer syntax and 512×384×2 bytes of pixels', async (t) => {
  for (const img of EXAMPLE_IMAGES) {
    const f = path.join(repoRoot, 'assets/example/rsna-breast-cancer-detection/test_images', img.patientId, `${img.imageId}.dcm`);
    const b = fs.readFileSync(f);
    t.equal(b.toString('latin1', 128, 132), 'DICM');
    t.ok(b.includes(Buffer.from('1.2.840.10008.1.2.1\0', 'latin1')), 'Explicit VR Little Endian');
    t.ok(b.includes(Buffer.from(img.photometric, 'latin1')));
    // PixelData (7FE0,0010) OW: tag, VR, 2 reserved bytes, 4-byte length, then the values to the end.
    const at = b.lastIndexOf(Buffer.from([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x57]));
    t.equal(b.readUInt32LE(at + 8), 512 * 384 * 2);
    t.equal(b.length - (at + 12), 512 * 384 * 2);
  }
});
