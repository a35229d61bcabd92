/**
 * `rsna-mammo select-yolox` (src/tools/select_yolox_best_ckpt.py, ALGORITHMS.md §11.5): copies the
 * trainer's best_ckpt.pth (highest COCO AP50:95 of the EMA model) to
 * {MODEL_FINAL_SELECTION_DIR}/yolox_nano_416_roi_torch.pth and converts it once to the ONNX model
 * `--roi yolox` uses ({MODEL_FINAL_SELECTION_DIR}/yolox_nano_416_roi.onnx; the original's TensorRT
 * model_trt.pth has no counterpart here).
 */
import fs from 'fs';
import path from 'path';
import { RsnaMammoError } from '../errors';
import { convertYolox } from '../models/convert_yolox';
import { loadSettings } from '../settings';
import { YOLOX_CHECKPOINT, YOLOX_ONNX } from '../run/modelFiles';

export interface SelectYoloxOptions {
  settings?: string;
  /** Trainer output folder (default {MODEL_CHECKPOINT_DIR}/yolox_roi_det/yolox_nano_416_reproduce). */
  trainDir?: string;
  /** Destination folder (default MODEL_FINAL_SELECTION_DIR). */
  outDir?: string;
}

export interface SelectYoloxResult {
  checkpoint: string;
  onnx: string;
  /** The trainer checkpoint that was copied. */
  source: string;
  /** Set when best_ckpt.pth was absent and last_epoch_ckpt.pth was used. */
  warning: string | null;
}

export async function selectYolox(o: SelectYoloxOptions = {}): Promise<SelectYoloxResult> {
  const settings = loadSettings(o.settings);
  const trainDir = o.trainDir ?? path.join(settings.MODEL_CHECKPOINT_DIR, 'yolox_roi_det', 'yolox_nano_416_reproduce');
  // YOLOX writes best_ckpt.pth only when an epoch's AP50:95 exceeds the previous best (initially 0), so
  // a run whose AP stayed 0 has none; the original script would then fail, we take the last epoch and say so.
  let source = path.join(trainDir, 'best_ckpt.pth');
  let warning: string | null = null;
  if (!fs.existsSync(source)) {
    const last = path.join(trainDir, 'last_epoch_ckpt.pth');
    if (!fs.existsSync(last)) throw new RsnaMammoError('ERR_NO_CHECKPOINT', 'no best_ckpt.pth or last_epoch_ckpt.pth: run `rsna-mammo train yolox` first', { file: source });
    warning = `${source} is absent (no epoch improved COCO AP50:95 over 0): using ${last}`;
    source = last;
  }
  const outDir = o.outDir ?? settings.MODEL_FINAL_SELECTION_DIR;
  fs.mkdirSync(outDir, { recursive: true });
  const checkpoint = path.join(outDir, YOLOX_CHECKPOINT);
  const tmp = `${checkpoint}.tmp-${process.pid}`;
  fs.copyFileSync(source, tmp);
  fs.renameSync(tmp, checkpoint);
  const onnx = path.join(outDir, YOLOX_ONNX);
  await convertYolox(checkpoint, onnx);
  return { checkpoint, onnx, source, warning };
}
