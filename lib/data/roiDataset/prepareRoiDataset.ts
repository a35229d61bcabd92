/**
 * `rsna-mammo prepare roi-dataset` (src/tools/prepair_roi_det_dataset.py, ALGORITHMS.md §7.8, §12.2):
 * copies the shipped YOLOv5 annotations to {PROCESSED}/roi_det_yolox/yolov5_format, decodes the 571
 * competition DICOMs to full-resolution 8-bit PNGs (min-max, §7.8.2), then converts to COCO
 * (coco_format/{train2017,val2017}/{id:012d}.jpg + annotations/instances_{train,val}2017.json).
 */
import fs from 'fs';
import path from 'path';
import { GrayImage, readGrayPng, writeGrayPng, writeJpegFromGray } from '../imageFiles';
import { readLines, Yolov5ToCoco } from './yolov5ToCoco';
import { pyJsonDumps } from '../pythonJson';
import { writeFileAtomic } from '../csv';
import { runPool, ProgressReporter } from '../workPool';
import { RsnaMammoError } from '../../errors';

export interface RoiDatasetOptions {
  /** {ASSETS_DIR}/data/roi_det_yolov5_format */
  assetDir: string;
  /** {RAW_DATA_DIR}/rsna-breast-cancer-detection/train_images */
  dicomDir: string;
  /** {PROCESSED_DATA_DIR}/roi_det_yolox */
  outDir: string;
  /** Decodes one DICOM to the min-max uint8 image of §7.8.2. */
  decode: (dicomFile: string) => Promise<GrayImage>;
  /** Parallel decodes (default 4, as the original's --num-workers). */
  numWorkers?: number;
  /** Keep PNGs already decoded by an interrupted run (the original always starts fresh). */
  resume?: boolean;
  progress?: ProgressReporter;
  /** Year of the COCO info block (default: the current local year, as the original). */
  year?: number;
}

export interface RoiDatasetResult {
  images: { train: number; val: number };
  annotations: number;
  /** Images that could not be produced, with the reason; they are left out of the COCO files. */
  failures: { file: string; reason: string }[];
}

const SPLITS = ['train', 'val'] as const;

/** Runs both steps; returns counts and the failed images. */
export async function prepareRoiDataset(options: RoiDatasetOptions): Promise<RoiDatasetResult> {
  const { assetDir, dicomDir, outDir, decode, numWorkers = 4, resume = false, progress } = options;
  for (const f of ['classes.txt', 'train.txt', 'val.txt', 'labels']) {
    if (!fs.existsSync(path.join(assetDir, f))) throw new RsnaMammoError('ERR_ASSET_MISSING', `missing ${f} in the ROI annotation assets`, { file: assetDir });
  }
  const yoloDir = path.join(outDir, 'yolov5_format');
  const cocoDir = path.join(outDir, 'coco_format');
  const keptImages = resume && fs.existsSync(path.join(yoloDir, 'images'));
  if (!keptImages) fs.rmSync(outDir, { recursive: true, force: true });
  fs.rmSync(cocoDir, { recursive: true, force: true });
  fs.mkdirSync(yoloDir, { recursive: true });
  fs.cpSync(assetDir, yoloDir, { recursive: true });
  fs.mkdirSync(path.join(yoloDir, 'images'), { recursive: true });
  fs.mkdirSync(path.join(yoloDir, 'background_images'), { recursive: true });

  const lists = Object.fromEntries(SPLITS.map((s) => [s, readLines(fs.readFileSync(path.join(yoloDir, `${s}.txt`), 'utf8')).filter((l) => l)])) as Record<(typeof SPLITS)[number], string[]>;
  const jobs = [...lists.train, ...lists.val].map((rel) => {
    const name = path.basename(rel);
    const [patientId, imageId] = name.split('.')[0].split('@');
    return { dicom: path.join(dicomDir, patientId, `${imageId}.dcm`), png: path.join(yoloDir, 'images', name) };
  });
  const failures: RoiDatasetResult['failures'] = [];
  await runPool(jobs, numWorkers, async (job) => {
    if (fs.existsSync(job.png)) return 'skipped';
    writeGrayPng(job.png, await decode(job.dicom));
    return 'done';
  }, { progress, label: 'roi-dataset decode', onError: (job, err) => failures.push({ file: job.dicom, reason: (err as Error).message }) });

  const converter = new Yolov5ToCoco(readLines(fs.readFileSync(path.join(yoloDir, 'classes.txt'), 'utf8')), options.year ?? new Date().getFullYear());
  const counts = { train: 0, val: 0 };
  let annotations = 0;
  for (const split of SPLITS) {
    const imgDir = path.join(cocoDir, `${split}2017`);
    fs.mkdirSync(imgDir, { recursive: true });
    fs.mkdirSync(path.join(cocoDir, 'annotations'), { recursive: true });
    let rels = lists[split].map((r) => path.join(yoloDir, r));
    if (split === 'train') rels.push(...fs.readdirSync(path.join(yoloDir, 'background_images')).map((n) => path.join(yoloDir, 'background_images', n)));
    rels = rels.filter((p) => fs.existsSync(p));
    const inputs = rels.map((p, k) => {
      const img = readGrayPng(p) as GrayImage;
      writeJpegFromGray(path.join(imgDir, Yolov5ToCoco.fileName(k + 1)), img);
      const label = path.join(yoloDir, 'labels', `${path.parse(p).name}.txt`);
      return { height: img.height, width: img.width, labelText: fs.existsSync(label) ? fs.readFileSync(label, 'utf8') : undefined };
    });
    const json = converter.convertSplit(inputs, (msg) => progress?.log(msg));
    writeFileAtomic(path.join(cocoDir, 'annotations', `instances_${split}2017.json`), pyJsonDumps(json));
    counts[split] = inputs.length;
    annotations += (json.annotations as unknown[]).length;
  }
  return { images: counts, annotations, failures };
}
