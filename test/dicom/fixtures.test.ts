// The bundled fixtures (test/fixtures/dicom, pydicom MIT) decode to their reference hashes on both
// paths, so a clone without ../shared still checks each decode route (J2K, JPEG-LS, RLE,
// deflate, big endian).
import fs from 'fs';
import path from 'path';
import t from 'tap';
import { closeWasmPool, decodeFrame, frameSha256, readDicom } from '../../lib/dicom';

t.teardown(closeWasmPool);
const FIXTURES = path.join(__dirname, '..', 'fixtures', 'dicom');
const expected = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'expected.json'), 'utf8')) as Record<string, { frame0_sha256: string; frame0_min: number; frame0_max: number }>;

for (const [name, e] of Object.entries(expected)) {
  t.test(name, async (t) => {
    const image = await readDicom(path.join(FIXTURES, name));
    const native = await decodeFrame(image, 0, { decoder: 'native' });
    t.equal(frameSha256(native, image), e.frame0_sha256, `native (${native.decoder}) = reference`);
    const px = Array.from(native.pixels);
    t.same([px.reduce((a, b) => Math.min(a, b)), px.reduce((a, b) => Math.max(a, b))], [e.frame0_min, e.frame0_max], 'min/max = reference');
    if (!native.decoder.startsWith('native-')) {
      const wasm = await decodeFrame(image, 0, { decoder: 'wasm' });
      t.equal(frameSha256(wasm, image), e.frame0_sha256, `WASM path (${wasm.decoder}) = reference`);
    }
  });
}
