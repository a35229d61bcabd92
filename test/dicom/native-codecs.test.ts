// Each compiled codec, called directly through the addon, on a manifest file it covers; in
// particular OpenJPH, which decodeFrame only uses for HTJ2K when libopenjp2 is absent.
import t from 'tap';
import crypto from 'crypto';
import { readDicom, nativeCodecs } from '../../lib/dicom';
import { dicomAddon, NativeCodecName } from '../../lib/dicom/addon';
import { encapsulatedFrameBytes } from '../../lib/dicom/frames';
import { needsShared } from '../helpers/shared';
import { dicomFile, dicomManifest, DICOM_DIR } from '../helpers/dicomManifest';

const CASES: [NativeCodecName, string, string][] = [
  ['openjph', 'pydicom-data/HTJ2KLossless_08_RGB.dcm', 'frame0_sha256'],
  // Lossy HTJ2K: OpenJPH 0.9.0 is the library ojph_expand used for the manifest's "openjph" entry.
  ['openjph', 'pydicom-data/HTJ2K_08_RGB.dcm', 'openjph'],
  ['openjpeg', 'pydicom-data/HTJ2K_08_RGB.dcm', 'frame0_sha256'],
  ['charls', 'pydicom-data/JLSL_16_15_1_1F.dcm', 'frame0_sha256'],
  ['gdcm-jpeg', 'nema-wg04/JPLY/MG1_JPLY.dcm', 'frame0_sha256'],
  ['rle', 'nema-wg04/RLE/CT1_RLE.dcm', 'frame0_sha256'],
];

t.test('compiled codecs decode to the manifest references', needsShared(`${DICOM_DIR}/MANIFEST.json`), async (t) => {
  const manifest = dicomManifest();
  for (const [codec, file, which] of CASES) {
    if (!nativeCodecs().has(codec)) {
      t.skip(`${codec} was not found at build time (scripts/gyp-codecs.js): ${file} not checked with it`);
      continue;
    }
    const entry = manifest.find((e) => e.file === file)!;
    const image = await readDicom(dicomFile(entry));
    const bytes = encapsulatedFrameBytes(image, image.pixelData!, 0);
    const r = await dicomAddon().dicomDecodeFrame(codec, bytes, {
      rows: image.rows, columns: image.columns, samplesPerPixel: image.samplesPerPixel, bitsAllocated: image.bitsAllocated,
      bitsStored: image.bitsStored, isSigned: image.pixelRepresentation === 1, threads: 0,
    });
    const expected = which === 'frame0_sha256' ? entry.reference.frame0_sha256 : entry.reference.decoders[which]?.frame0_sha256;
    t.equal(crypto.createHash('sha256').update(Buffer.from(r.pixels)).digest('hex'), expected, `${codec} (${r.decoder}) on ${file} = ${which === 'frame0_sha256' ? 'reference' : `the manifest's ${which} decoding`}`);
  }
  await t.rejects(dicomAddon().dicomDecodeFrame('openjpeg', new Uint8Array([0xff, 0x4f, 0xff, 0x51, 0, 0]), {
    rows: 8, columns: 8, samplesPerPixel: 1, bitsAllocated: 16, bitsStored: 16, isSigned: false, threads: 0,
  }), { code: 'ERR_DICOM_DECODE' }, 'a broken codestream rejects with a code');
});
