/**
 * Per-epoch evaluation of the YOLOX trainer (ALGORITHMS.md §10.5, COCOEvaluator of YOLOX 0.3.0):
 * the EMA model's raw outputs → decode + obj·cls ≥ test_conf + class-aware NMS (the ROI kernels of
 * lib/roi) → boxes / r in original pixels as COCO `[x, y, w, h]` with score obj·cls → COCO AP by
 * `rsna-mammo eval coco`.
 */
import fs from 'fs';
import { Writable } from 'stream';
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

/** Reads AP50:95 / AP50 from `eval coco --json` output (stats array or named fields). */
function parseAp(text: string): CocoAp | null {
  for (const line of text.split('\n').reverse()) {
    if (!line.trim().startsWith('{')) continue;
    try {
      const j = JSON.parse(line) as Record<string, unknown>;
      const stats = (j.stats ?? (j.bbox as Record<string, unknown> | undefined)?.stats) as number[] | undefined;
      if (Array.isArray(stats) && stats.length >= 2) return { ap50_95: stats[0], ap50: stats[1] };
      const a = (j.ap50_95 ?? j.AP ?? j.ap) as number | undefined;
      const b = (j.ap50 ?? j.AP50) as number | undefined;
      if (typeof a === 'number') return { ap50_95: a, ap50: typeof b === 'number' ? b : NaN };
    } catch {
      /* not JSON */
    }
  }
  return null;
}

/** COCO bbox AP of `detections` against the ground-truth json, via `rsna-mammo eval coco` (null + why when unavailable). */
export async function cocoAp(gtFile: string, dtFile: string, detections: CocoResult[]): Promise<{ ap: CocoAp | null; message: string }> {
  fs.writeFileSync(dtFile, JSON.stringify(detections));
  if (detections.length === 0) return { ap: { ap50_95: 0, ap50: 0 }, message: 'no detections: AP 0 (as COCOEvaluator)' };
  let text = '';
  let err = '';
  const sink = (f: (s: string) => void) => new Writable({ write(chunk, _e, cb) { f(String(chunk)); cb(); } });
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { main } = require('../cli/main') as typeof import('../cli/main');
  const code = await main(['eval', 'coco', gtFile, dtFile, '--json'], { stdout: sink((s) => { text += s; }), stderr: sink((s) => { err += s; }) });
  const ap = code === 0 ? parseAp(text) : null;
  return { ap, message: ap ? '' : `COCO evaluation unavailable (rsna-mammo eval coco exited ${code}: ${(err || text).trim().split('\n')[0]})` };
}
