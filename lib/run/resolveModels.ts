/**
 * Finds (and converts once, lib/run/modelFiles.ts) the models a run needs: the classifier
 * ensemble ONNX from the 4 fold checkpoints, and the YOLOX ONNX unless the ROI method is Otsu.
 */
import { roiDetector } from '../roi';
import type { RoiDetectorName } from '../roi';
import fs from 'fs';
import path from 'path';
import { RsnaMammoError } from '../errors';
import { convertClassifier } from '../models/convert_classifier';
import { convertYolox } from '../models/convert_yolox';
import { ENSEMBLE_ONNX, ensureOnnx, FOLD_CHECKPOINTS, ModelFiles, YOLOX_CHECKPOINT, YOLOX_ONNX } from './modelFiles';

/** The ONNX files a pipeline opens. */
export interface ResolvedModels {
  classifier: string;
  /** Undefined when the ROI method is Otsu. */
  detector?: string;
}

/**
 * Converts fold checkpoints to the ensemble ONNX (EMA weights, ALGORITHMS.md §4.3–4.4): always the
 * ensemble graph, so one fold alone still gives probabilities from 0..255 input.
 */
export const convertEnsemble = (sources: string[], out: string): Promise<unknown> => convertClassifier(sources, out, { ensemble: true });
const convertDetector = (sources: string[], out: string): Promise<unknown> => convertYolox(sources[0], out);

/**
 * Models of a submission mode (§5.2).
 * @throws RsnaMammoError ERR_MODEL_MISSING (classifier) or ERR_NO_DETECTOR (YOLOX weights missing
 *   and `roi` is 'yolox': the message says to pass `--roi otsu`).
 */
export async function resolveModels(files: ModelFiles, roi: RoiDetectorName, log: (line: string) => void): Promise<ResolvedModels> {
  let detector: string | undefined;
  if (roiDetector(roi).needsModel) {
    if (!fs.existsSync(files.detectorOnnx) && !fs.existsSync(files.detectorCheckpoint)) {
      throw new RsnaMammoError(
        'ERR_NO_DETECTOR',
        `the YOLOX detector weights are missing (${files.detectorCheckpoint}). Put them there (see assets/trained/README.md) ` +
          'or pass --roi otsu to crop every image with the Otsu fallback (ALGORITHMS.md §2.6–2.7)',
      );
    }
    detector = await ensureOnnx('YOLOX detector', [files.detectorCheckpoint], files.detectorOnnx, convertDetector, log);
  }
  const classifier = await ensureOnnx('classifier ensemble', files.classifierCheckpoints, files.classifierOnnx, convertEnsemble, log);
  return { classifier, detector };
}

/**
 * Models of a `--models <dir>` folder (or a single ensemble .onnx file) for `rsna-mammo predict`:
 * the ensemble ONNX (converted from best_convnext_fold_*.pth.tar when only those are there) and the
 * YOLOX model when present.
 */
export function modelDirFiles(modelsPath: string): ModelFiles {
  if (modelsPath.endsWith('.onnx')) {
    const dir = path.dirname(modelsPath);
    return {
      classifierDir: dir, classifierCheckpoints: [], classifierOnnx: modelsPath,
      detectorDir: dir, detectorCheckpoint: path.join(dir, YOLOX_CHECKPOINT), detectorOnnx: path.join(dir, YOLOX_ONNX),
    };
  }
  return {
    classifierDir: modelsPath,
    classifierCheckpoints: FOLD_CHECKPOINTS.map((f) => path.join(modelsPath, f)).filter((f, k) => k === 0 || fs.existsSync(f)),
    classifierOnnx: path.join(modelsPath, ENSEMBLE_ONNX),
    detectorDir: modelsPath,
    detectorCheckpoint: path.join(modelsPath, YOLOX_CHECKPOINT),
    detectorOnnx: path.join(modelsPath, YOLOX_ONNX),
  };
}
