// Writes the cases of the ASan harness (harness.cc): every encapsulated frame of the fixtures and of
// ../shared/data/dicom (frames ≤ 1.2 MP), intact and mutated (truncated, bit flips, an EOI inserted,
// a zeroed run), straight to the native codecs without the JS stream checks. HTJ2K is decoded intact
// only: Debian's libopenjp2 2.5.0 asserts on damaged HTJ2K (lib/dicom/decode.ts WASM_FIRST).
// Usage: npx ts-node --transpile-only test/reliability/asan/make-cases.ts OUT_DIR [mutations per frame]
import fs from 'fs';
import path from 'path';
import { parseDicom } from '../../../lib/dicom';
import { encapsulatedFrameBytes } from '../../../lib/dicom/frames';
import { transferSyntax } from '../../../lib/dicom/transferSyntax';
import { dicomFile, dicomManifest } from '../../helpers/dicomManifest';

const CODEC: Record<string, string> = { rle: 'rle', jpeg2000: 'openjpeg', htj2k: 'openjpeg', 'jpeg-lossless': 'gdcm-jpeg', 'jpeg-baseline': 'gdcm-jpeg', 'jpeg-extended': 'gdcm-jpeg', 'jpeg-ls': 'charls' };
const out = process.argv[2];
const perFrame = Number(process.argv[3] ?? 12);
fs.mkdirSync(out, { recursive: true });
let seed = 12345;
const rnd = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
const mutate = [
  (b: Buffer) => b.subarray(0, Math.floor(b.length * rnd())),
  (b: Buffer) => { const c = Buffer.from(b); for (let i = 0; i < 8; i++) c[Math.floor(rnd() * c.length)] ^= 1 << Math.floor(rnd() * 8); return c; },
  (b: Buffer) => { const at = Math.floor(b.length * (0.3 + 0.6 * rnd())); return Buffer.concat([b.subarray(0, at), Buffer.from([0xff, 0xd9]), b.subarray(at)]); },
  (b: Buffer) => { const c = Buffer.from(b); const s = Math.floor(c.length * (0.3 + 0.6 * rnd())); c.fill(0, s, Math.min(c.length, s + 1 + Math.floor(rnd() * 2048))); return c; },
];
const files = [
  ...fs.readdirSync(path.join(__dirname, '..', '..', 'fixtures', 'dicom')).filter((f) => f.endsWith('.dcm')).map((f) => path.join(__dirname, '..', '..', 'fixtures', 'dicom', f)),
  ...dicomManifest().filter((e) => e.rows * e.columns <= 1.2e6).map(dicomFile),
];
let n = 0;
for (const file of files) {
  const image = parseDicom(fs.readFileSync(file), file);
  const family = transferSyntax(image.transferSyntaxUID)?.family;
  if (!family || !CODEC[family] || !image.pixelData?.fragments) continue;
  const frame = Buffer.from(encapsulatedFrameBytes(image, image.pixelData, 0));
  const spec = `${CODEC[family]} ${image.rows} ${image.columns} ${image.samplesPerPixel} ${image.bitsAllocated} ${image.bitsStored} ${image.pixelRepresentation}\n`;
  const cases = family === 'htj2k' ? [frame] : [frame, ...Array.from({ length: perFrame }, (_, k) => mutate[k % mutate.length](frame))];
  cases.forEach((bytes, k) => {
    const name = `${String(n++).padStart(5, '0')}-${path.basename(file, '.dcm')}-${k}`;
    fs.writeFileSync(path.join(out, `${name}.bin`), bytes);
    fs.writeFileSync(path.join(out, `${name}.spec`), spec);
  });
}
process.stdout.write(`${n} cases in ${out}\n`);
