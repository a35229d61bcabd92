/**
 * `rsna-mammo prepare classification-dataset` (src/tools/prepair_classification_dataset.py,
 * ALGORITHMS.md §7): stage 1 then stage 2 for each dataset, in the original's order.
 */
import type { RoiDetectorName } from '../roi';
import fs from 'fs';
import path from 'path';
import { Settings } from '../settings';
import { RsnaMammoError } from '../errors';
import { classificationPaths } from './datasetPaths';
import { DatasetName, RowOrder, runStage1, Stage1Result } from './stage1';
import { runStage2, Stage2Summary } from './stage2/runStage2';
import { Stage2Kind } from './stage2/processImage';
import { ProgressReporter, silentProgress } from './workPool';

/** How each dataset's stage1 images are read in stage 2 (§7.7). */
export const STAGE2_SOURCES: Readonly<Record<DatasetName, { kind: Stage2Kind; ext: string }>> = {
  'rsna-breast-cancer-detection': { kind: 'dicom', ext: 'dcm' },
  vindr: { kind: 'dicom', ext: 'dicom' },
  miniddsm: { kind: 'png16', ext: 'png' },
  cmmd: { kind: 'dicom', ext: 'dcm' },
  cddcesm: { kind: 'jpeg8', ext: 'jpg' },
  bmcd: { kind: 'dicom', ext: 'dcm' },
};

export interface PrepareClassificationOptions {
  settings: Settings;
  datasets: readonly DatasetName[];
  stages: readonly (1 | 2)[];
  roi: RoiDetectorName;
  /** YOLOX ONNX model; default {MODEL_FINAL_SELECTION_DIR}/yolox_nano_416_roi.onnx when it exists. */
  roiModel?: string;
  numWorkers: number;
  rowOrder?: RowOrder;
  fresh?: boolean;
  progress?: ProgressReporter;
}

export interface DatasetReport {
  dataset: DatasetName;
  stage1?: Stage1Result;
  stage2?: Stage2Summary;
}

/** Runs the requested stages for each dataset. */
export async function prepareClassificationDataset(options: PrepareClassificationOptions): Promise<DatasetReport[]> {
  const progress = options.progress ?? silentProgress;
  let roiModel = options.roiModel;
  if (options.stages.includes(2) && options.roi === 'yolox') {
    roiModel ??= path.join(options.settings.MODEL_FINAL_SELECTION_DIR, 'yolox_nano_416_roi.onnx');
    if (!fs.existsSync(roiModel)) {
      throw new RsnaMammoError('ERR_ROI_MODEL_MISSING', 'YOLOX ROI model not found: convert one with `rsna-mammo convert yolox` and pass --roi-yolox-engine, or use --roi otsu (Otsu fallback for every image)', { file: roiModel });
    }
  }
  const reports: DatasetReport[] = [];
  for (const dataset of options.datasets) {
    const p = classificationPaths(options.settings, dataset);
    const report: DatasetReport = { dataset };
    if (options.stages.includes(1)) {
      progress.log(`${dataset}: stage 1 (cleaned_label.csv)`);
      report.stage1 = await runStage1(dataset, { ...p, log: (m) => progress.log(`${dataset}: ${m}`) }, options.rowOrder);
    }
    if (options.stages.includes(2)) {
      if (!fs.existsSync(p.cleanedLabelFile)) throw new RsnaMammoError('ERR_STAGE2_INPUT', 'run stage 1 first: cleaned_label.csv is missing', { file: p.cleanedLabelFile });
      report.stage2 = await runStage2({
        ...p,
        ...STAGE2_SOURCES[dataset],
        roi: options.roi,
        roiModel: options.roi === 'yolox' ? roiModel : undefined,
        numWorkers: options.numWorkers,
        fresh: options.fresh,
        progress,
        label: `${dataset} stage 2`,
      });
    }
    reports.push(report);
  }
  return reports;
}
