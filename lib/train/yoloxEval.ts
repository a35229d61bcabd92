/**
 * Per-epoch evaluation of the YOLOX trainer (ALGORITHMS.md §10.5, COCOEvaluator of YOLOX 0.3.0):
 * the EMA model's raw outputs → decode + obj·cls ≥ test_conf + class-aware NMS (the ROI kernels of
 * lib/roi) → boxes / r in original pixels as COCO `[x, y, w, h]` with score obj·cls → COCO AP
 * (lib/metrics/cocoEval, the pycocotools COCOeval port behind `rsna-mammo eval coco`).
 */
import fs from 'fs';
import { readCocoFiles } from '../metrics/cocoData';
import { cocoEvaluate } from '../metrics/cocoEval';
import { postprocessYolox } from '../roi/yolox';
import { CocoImageEntry } from './yoloxData';

export interface CocoResult {
  image_id: number;
  category_id: number;
  bbox: [number, number, number, number];
  score: number;
}

/**
 * convert_to_coco_format: `raw` holds [n, anchors, 6] outputs of the images `index` points at.
 * float32 arithmetic as the original's tensors (boxes / scale, w = x1 − x0, score = obj·cls).
 */
export function yoloxDetections(raw: Float32Array, index: number[], images: CocoImageEntry[], inputSize: number,
  categoryIds: number[], testConf = 0.01, nmsThres = 0.9): CocoResult[] {
  const per = raw.length / Math.max(index.length, 1);
  const out: CocoResult[] = [];
  index.forEach((imgIdx, i) => {
    const im = images[imgIdx];
    const scale = Math.min(inputSize / im.height, inputSize / im.width);
    const dets = postprocessYolox(raw.subarray(i * per, (i + 1) * per), { confThres: testConf, nmsThres, inputSize });
    for (const d of dets) {
      const [x0, y0, x1, y1] = d.box.map((v) => Math.fround(v / scale));
      out.push({
        image_id: im.id,
        category_id: categoryIds[Math.trunc(d.clsId)],
        bbox: [x0, y0, Math.fround(x1 - x0), Math.fround(y1 - y0)],
        score: Math.fround(d.obj * d.cls),
      });
    }
  });
  return out;
}

export interface CocoAp {
  ap50_95: number;
  ap50: number;
}

/** COCO bbox AP of `detections` (also written to `dtFile`) against the ground-truth json (COCOeval port, lib/metrics/cocoEval). */
export async function cocoAp(gtFile: string, dtFile: string, detections: CocoResult[]): Promise<{ ap: CocoAp | null; message: string }> {
  fs.writeFileSync(dtFile, JSON.stringify(detections));
  // COCOEvaluator.evaluate_prediction returns 0 without calling COCOeval when there is no detection.
  if (detections.length === 0) return { ap: { ap50_95: 0, ap50: 0 }, message: 'no detections: AP 0 (as COCOEvaluator)' };
  try {
    const { gt, dt } = readCocoFiles(gtFile, dtFile, { allowDegenerateBoxes: true });
    const stats = cocoEvaluate(gt, dt).stats;
    return { ap: { ap50_95: stats[0], ap50: stats[1] }, message: '' };
  } catch (err) {
    return { ap: null, message: `COCO evaluation failed: ${(err as Error).message}` };
  }
}
