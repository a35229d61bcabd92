import fs from 'fs';
import { roiDetector } from '../../roi';
import path from 'path';
import { parseArgs } from 'util';
import { CliCommand } from '../command';
import { loadSettings } from '../../settings';
import { invalidArgument } from '../../errors';
import { roiDatasetPaths } from '../../data/datasetPaths';
import { streamProgress } from '../../data/workPool';

// The heavy modules (DICOM codecs, ROI, exceljs) load only when a prepare command runs.
const DATASETS = ['rsna-breast-cancer-detection', 'vindr', 'miniddsm', 'cmmd', 'cddcesm', 'bmcd'] as const;
type DatasetName = (typeof DATASETS)[number];

/** The package's own assets folder (used when SETTINGS.json's ASSETS_DIR has no copy). */
const PACKAGE_ASSETS = path.resolve(__dirname, '..', '..', '..', 'assets');

function positiveInt(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw invalidArgument(name, 'a positive integer', value);
  return n;
}

const roiDataset: CliCommand = {
  path: ['prepare', 'roi-dataset'],
  needsAddon: true,
  summary: 'YOLOX ROI dataset: decode the 571 annotated DICOMs, YOLOv5 → COCO (ALGORITHMS.md §7.8)',
  usage: [
    'Usage: rsna-mammo prepare roi-dataset [--settings SETTINGS.json] [--num-workers 4] [--resume]',
    '',
    'Reads {ASSETS_DIR}/data/roi_det_yolov5_format and {RAW_DATA_DIR}/rsna-breast-cancer-detection/train_images;',
    'writes {PROCESSED_DATA_DIR}/roi_det_yolox/{yolov5_format,coco_format}. The folder is recreated unless',
    '--resume (keeps PNGs already decoded). COCO images are 3-channel JPEG quality 95 written by jpeg-js',
    '(the original re-encodes with OpenCV/libjpeg at the same quality: same setting, not byte-identical).',
  ].join('\n'),
  async run(args, io) {
    const { values } = parseArgs({ args, options: { settings: { type: 'string' }, 'num-workers': { type: 'string', default: '4' }, resume: { type: 'boolean', default: false } } });
    const settings = loadSettings(values.settings);
    const paths = roiDatasetPaths(settings);
    if (!fs.existsSync(paths.assetDir)) paths.assetDir = path.join(PACKAGE_ASSETS, 'data', 'roi_det_yolov5_format');
    const progress = streamProgress(io.stderr as NodeJS.WritableStream & { isTTY?: boolean });
    const { prepareRoiDataset } = await import('../../data/roiDataset/prepareRoiDataset');
    const { decodeDicomMinMax } = await import('../../data/roiDataset/decodeMinMax');
    const res = await prepareRoiDataset({ ...paths, decode: decodeDicomMinMax, numWorkers: positiveInt('--num-workers', values['num-workers']!), resume: values.resume, progress });
    io.stdout.write(`train2017: ${res.images.train} images, val2017: ${res.images.val} images, ${res.annotations} annotations in ${path.join(paths.outDir, 'coco_format')}\n`);
    for (const f of res.failures) io.stdout.write(`failed: ${f.file}: ${f.reason}\n`);
    return res.failures.length ? 1 : 0;
  },
};

const classificationDataset: CliCommand = {
  path: ['prepare', 'classification-dataset'],
  needsAddon: true,
  summary: 'cleaned labels and ROI-cropped 8-bit PNGs of the six training datasets (ALGORITHMS.md §7)',
  usage: [
    'Usage: rsna-mammo prepare classification-dataset [--settings SETTINGS.json] [--datasets a,b,...]',
    '         [--stage 1|2|all] [--roi-yolox-engine MODEL] [--roi otsu] [--num-workers N] [--row-order shipped|code] [--fresh]',
    '',
    `Datasets (in this order): ${DATASETS.join(', ')}.`,
    'Stage 1 writes {PROCESSED_DATA_DIR}/classification/{ds}/cleaned_label.csv and {RAW_DATA_DIR}/{ds}/stage1_images;',
    'stage 2 writes cleaned_images/{patient_id}@{image_id}.png (decode → ROI → crop → window, §7.7).',
    '--roi-yolox-engine: a YOLOX ONNX model (rsna-mammo convert yolox; default',
    '{MODEL_FINAL_SELECTION_DIR}/yolox_nano_416_roi.onnx when present). Without a model stage 2 stops unless',
    '--roi otsu is given (Otsu fallback of §2.6 for every image). Stage 2 is resumable: finished PNGs are',
    'skipped; --fresh empties cleaned_images first (the original always does). Bad images are listed in',
    'cleaned_images_errors.csv and do not stop the dataset. --row-order: CMMD/BMCD row order (default: the',
    "shipped CSVs' order; see assets/data/README.md).",
  ].join('\n'),
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        settings: { type: 'string' },
        datasets: { type: 'string' },
        stage: { type: 'string', default: 'all' },
        'roi-yolox-engine': { type: 'string' },
        roi: { type: 'string', default: 'yolox' },
        'num-workers': { type: 'string', default: '4' },
        'row-order': { type: 'string', default: 'shipped' },
        fresh: { type: 'boolean', default: false },
      },
    });
    const datasets = (values.datasets ? values.datasets.split(',') : [...DATASETS]) as DatasetName[];
    for (const d of datasets) if (!DATASETS.includes(d)) throw invalidArgument('--datasets', `names from ${DATASETS.join(', ')}`, d);
    if (!['1', '2', 'all'].includes(values.stage!)) throw invalidArgument('--stage', '1, 2 or all', values.stage);
    const roi = roiDetector(values.roi, '--roi').name;
    if (!['shipped', 'code'].includes(values['row-order']!)) throw invalidArgument('--row-order', 'shipped or code', values['row-order']);
    const settings = loadSettings(values.settings);
    if (!fs.existsSync(path.join(settings.ASSETS_DIR, 'data'))) settings.ASSETS_DIR = PACKAGE_ASSETS;
    const { prepareClassificationDataset } = await import('../../data/prepareClassification');
    const res = await prepareClassificationDataset({
      settings,
      datasets,
      stages: values.stage === 'all' ? [1, 2] : [Number(values.stage) as 1 | 2],
      roi,
      roiModel: values['roi-yolox-engine'],
      numWorkers: positiveInt('--num-workers', values['num-workers']!),
      rowOrder: values['row-order'] as 'shipped' | 'code',
      fresh: values.fresh,
      progress: streamProgress(io.stderr as NodeJS.WritableStream & { isTTY?: boolean }),
    });
    for (const r of res) {
      io.stdout.write(`${r.dataset}: ${r.stage1 ? `${r.stage1.rows} label rows` : 'stage 1 skipped'}${r.stage2 ? `, ${r.stage2.done} images (${r.stage2.skipped} already done, ${r.stage2.failed} failed)` : ''}` +
        `${r.stage2 && r.stage2.done ? `; ROI: ${Object.entries(r.stage2.roiMethods).map(([m, n]) => `${n} ${m}`).join(', ')}` : ''}\n`);
    }
    return res.some((r) => r.stage2 && r.stage2.failed > 0) ? 1 : 0;
  },
};

export const commands: CliCommand[] = [roiDataset, classificationDataset];
