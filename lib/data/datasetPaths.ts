/**
 * Folders of the dataset preparation under SETTINGS.json (ALGORITHMS.md §7.0, §12.2).
 */
import path from 'path';
import { Settings } from '../settings';

/** Paths of one classification dataset. */
export function classificationPaths(settings: Settings, dataset: string) {
  const rawDir = path.join(settings.RAW_DATA_DIR, dataset);
  const processedDir = path.join(settings.PROCESSED_DATA_DIR, 'classification', dataset);
  return {
    rawDir,
    stage1Dir: path.join(rawDir, 'stage1_images'),
    processedDir,
    cleanedLabelFile: path.join(processedDir, 'cleaned_label.csv'),
    cleanedImagesDir: path.join(processedDir, 'cleaned_images'),
    assetsDataDir: path.join(settings.ASSETS_DIR, 'data'),
  };
}

/** Paths of the ROI-detection dataset (§7.8). */
export function roiDatasetPaths(settings: Settings) {
  return {
    assetDir: path.join(settings.ASSETS_DIR, 'data', 'roi_det_yolov5_format'),
    dicomDir: path.join(settings.RAW_DATA_DIR, 'rsna-breast-cancer-detection', 'train_images'),
    outDir: path.join(settings.PROCESSED_DATA_DIR, 'roi_det_yolox'),
  };
}
