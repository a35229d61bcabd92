/**
 * Writes the example study bundled with the package (assets/example/): 2 synthetic patients ×
 * L/R × CC/MLO, uncompressed 12-bit DICOMs in the competition's layout
 * (`rsna-breast-cancer-detection/test.csv` + `test_images/{patient_id}/{image_id}.dcm`), made
 * entirely by our code (scripts/example-study/) so they may be redistributed (no RSNA file is used).
 * Variety on purpose: one MONOCHROME1 image, one SIGMOID window, one image without window tags.
 *
 * Run: npx ts-node --transpile-only scripts/make-example-study.ts [outDir]
 */
import fs from 'fs';
import path from 'path';
import { encodeDicomFile, Element } from './example-study/dicomWriter';
import { synthesizeMammogram } from './example-study/synthesize';

const ROWS = 512;
const COLUMNS = 384;
const UID_ROOT = '2.25.3141592653589793238462643383279';
const MAMMO_FOR_PRESENTATION = '1.2.840.10008.5.1.4.1.1.1.2';
const EXPLICIT_VR_LE = '1.2.840.10008.1.2.1';

/** One image of the example study. */
export interface ExampleImage {
  patientId: string;
  imageId: string;
  laterality: 'L' | 'R';
  view: 'CC' | 'MLO';
  age: number;
  machineId: number;
  photometric: 'MONOCHROME1' | 'MONOCHROME2';
  /** [center, width] or none (min-max path, ALGORITHMS.md §1.4.6). */
  window?: [number, number];
  voiLutFunction?: 'LINEAR' | 'SIGMOID';
}

/** The study: what each image exercises is in its fields. */
export const EXAMPLE_IMAGES: readonly ExampleImage[] = [
  { patientId: '901', imageId: '9011', laterality: 'L', view: 'CC', age: 58, machineId: 49, photometric: 'MONOCHROME2', window: [2300, 2800] },
  { patientId: '901', imageId: '9012', laterality: 'L', view: 'MLO', age: 58, machineId: 49, photometric: 'MONOCHROME2', window: [2300, 1900], voiLutFunction: 'SIGMOID' },
  { patientId: '901', imageId: '9013', laterality: 'R', view: 'CC', age: 58, machineId: 49, photometric: 'MONOCHROME2', window: [2300, 2800] },
  { patientId: '901', imageId: '9014', laterality: 'R', view: 'MLO', age: 58, machineId: 49, photometric: 'MONOCHROME2', window: [2300, 2800], voiLutFunction: 'LINEAR' },
  { patientId: '902', imageId: '9021', laterality: 'L', view: 'CC', age: 64, machineId: 29, photometric: 'MONOCHROME2' },
  { patientId: '902', imageId: '9022', laterality: 'L', view: 'MLO', age: 64, machineId: 29, photometric: 'MONOCHROME2', window: [2250, 2600] },
  { patientId: '902', imageId: '9023', laterality: 'R', view: 'CC', age: 64, machineId: 29, photometric: 'MONOCHROME1', window: [1800, 2600] },
  { patientId: '902', imageId: '9024', laterality: 'R', view: 'MLO', age: 64, machineId: 29, photometric: 'MONOCHROME2', window: [2250, 2600] },
];

/** Encodes one example image as a DICOM file. */
export function exampleDicom(img: ExampleImage, index: number): Buffer {
  const stored = synthesizeMammogram({ rows: ROWS, columns: COLUMNS, laterality: img.laterality, view: img.view, seed: 1000 + index });
  if (img.photometric === 'MONOCHROME1') for (let i = 0; i < stored.length; i++) stored[i] = 4095 - stored[i];
  const pixelBytes = new Uint8Array(stored.length * 2);
  const dv = new DataView(pixelBytes.buffer);
  stored.forEach((v, i) => dv.setUint16(i * 2, v, true));
  const sop = `${UID_ROOT}.${img.patientId}.${img.imageId}`;
  const meta: Element[] = [
    { tag: 0x00020001, vr: 'OB', value: new Uint8Array([0, 1]) },
    { tag: 0x00020002, vr: 'UI', value: MAMMO_FOR_PRESENTATION },
    { tag: 0x00020003, vr: 'UI', value: sop },
    { tag: 0x00020010, vr: 'UI', value: EXPLICIT_VR_LE },
    { tag: 0x00020012, vr: 'UI', value: `${UID_ROOT}.1` },
    { tag: 0x00020013, vr: 'SH', value: 'RSNA_MAMMO_EX' },
  ];
  const ds: Element[] = [
    { tag: 0x00080016, vr: 'UI', value: MAMMO_FOR_PRESENTATION },
    { tag: 0x00080018, vr: 'UI', value: sop },
    { tag: 0x00080060, vr: 'CS', value: 'MG' },
    { tag: 0x00080070, vr: 'LO', value: 'rsna-mammo synthetic example' },
    { tag: 0x00100010, vr: 'PN', value: `Example^Patient${img.patientId}` },
    { tag: 0x00100020, vr: 'LO', value: img.patientId },
    { tag: 0x00101010, vr: 'AS', value: `0${img.age}Y` },
    { tag: 0x00185101, vr: 'CS', value: img.view },
    { tag: 0x0020000d, vr: 'UI', value: `${UID_ROOT}.${img.patientId}` },
    { tag: 0x0020000e, vr: 'UI', value: `${UID_ROOT}.${img.patientId}.${img.laterality === 'L' ? 1 : 2}` },
    { tag: 0x00200062, vr: 'CS', value: img.laterality },
    { tag: 0x00280002, vr: 'US', value: [1] },
    { tag: 0x00280004, vr: 'CS', value: img.photometric },
    { tag: 0x00280010, vr: 'US', value: [ROWS] },
    { tag: 0x00280011, vr: 'US', value: [COLUMNS] },
    { tag: 0x00280100, vr: 'US', value: [16] },
    { tag: 0x00280101, vr: 'US', value: [12] },
    { tag: 0x00280102, vr: 'US', value: [11] },
    { tag: 0x00280103, vr: 'US', value: [0] },
    { tag: 0x7fe00010, vr: 'OW', value: pixelBytes },
  ];
  if (img.window) {
    ds.push({ tag: 0x00281050, vr: 'DS', value: String(img.window[0]) });
    ds.push({ tag: 0x00281051, vr: 'DS', value: String(img.window[1]) });
  }
  if (img.voiLutFunction) ds.push({ tag: 0x00281056, vr: 'CS', value: img.voiLutFunction });
  return encodeDicomFile(meta, ds);
}

/** test.csv of the example study, with the competition's columns (ALGORITHMS.md §5.3). */
export function exampleTestCsv(): string {
  const lines = ['site_id,patient_id,image_id,laterality,view,age,implant,machine_id,prediction_id'];
  for (const img of EXAMPLE_IMAGES) {
    lines.push(`1,${img.patientId},${img.imageId},${img.laterality},${img.view},${img.age},0,${img.machineId},${img.patientId}_${img.laterality}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Writes the study under `rootDir/rsna-breast-cancer-detection/`.
 * @returns the files written, relative to rootDir.
 */
export function makeExampleStudy(rootDir: string): string[] {
  const base = path.join(rootDir, 'rsna-breast-cancer-detection');
  const written: string[] = [];
  fs.mkdirSync(base, { recursive: true });
  fs.writeFileSync(path.join(base, 'test.csv'), exampleTestCsv());
  written.push('rsna-breast-cancer-detection/test.csv');
  EXAMPLE_IMAGES.forEach((img, i) => {
    const rel = path.join('rsna-breast-cancer-detection', 'test_images', img.patientId, `${img.imageId}.dcm`);
    fs.mkdirSync(path.dirname(path.join(rootDir, rel)), { recursive: true });
    fs.writeFileSync(path.join(rootDir, rel), exampleDicom(img, i));
    written.push(rel);
  });
  return written;
}

if (require.main === module) {
  const out = process.argv[2] ?? path.join(__dirname, '..', 'assets', 'example');
  for (const f of makeExampleStudy(out)) console.log(path.join(out, f));
}
