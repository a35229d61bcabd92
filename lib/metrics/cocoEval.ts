/**
 * COCO bbox evaluation as pycocotools' COCOeval computes it with default parameters
 * (evaluate → accumulate → summarize; docs/ALGORITHMS.md §10.5): float64 throughout, stable
 * (mergesort) score orders, greedy matching per IoU threshold, 101-point interpolated precision.
 */
import { Box, CocoDetection, CocoGroundTruth } from './cocoData';
import { numpyLinspace } from './thresholdSweep';

export interface CocoParams {
  iouThrs: number[];
  recThrs: number[];
  maxDets: number[];
  areaRng: Array<[number, number]>;
  areaRngLbl: string[];
}

/** COCOeval's default bbox parameters. */
export function defaultCocoParams(): CocoParams {
  return {
    iouThrs: numpyLinspace(0.5, 0.95, Math.round((0.95 - 0.5) / 0.05) + 1),
    recThrs: numpyLinspace(0, 1, Math.round(1 / 0.01) + 1),
    maxDets: [1, 10, 100],
    areaRng: [[0, 1e10], [0, 32 ** 2], [32 ** 2, 96 ** 2], [96 ** 2, 1e10]],
    areaRngLbl: ['all', 'small', 'medium', 'large'],
  };
}

/**
 * IoU of every detection with every ground-truth box (rows = detections): for a crowd box the
 * union is the detection's area. 0 when the boxes do not overlap.
 */
export function bboxIou(dt: readonly Box[], gt: readonly Box[], crowd: readonly boolean[]): number[][] {
  return dt.map((d) => {
    const da = d[2] * d[3];
    return gt.map((g, j) => {
      const w = Math.min(d[2] + d[0], g[2] + g[0]) - Math.max(d[0], g[0]);
      if (w <= 0) return 0;
      const h = Math.min(d[3] + d[1], g[3] + g[1]) - Math.max(d[1], g[1]);
      if (h <= 0) return 0;
      const i = w * h;
      const u = crowd[j] ? da : da + g[2] * g[3] - i;
      return i / u;
    });
  });
}

/** Stable order by descending score (numpy argsort(-s, kind='mergesort')). */
export function byScoreDesc<T extends { score: number }>(items: readonly T[]): T[] {
  return items.map((d, i) => ({ d, i })).sort((a, b) => b.d.score - a.d.score || a.i - b.i).map((x) => x.d);
}

/** evaluateImg's result for one (image, category, area range). */
interface ImageEval {
  /** [T][D] matched gt id (0 = none) of each detection (score order, ≤ maxDet). */
  dtMatches: Float64Array[];
  dtIgnore: Uint8Array[];
  dtScores: number[];
  gtIgnore: Uint8Array;
}

export interface CocoEvalResult {
  /** The 12 summary values in COCOeval.stats order; −1 where undefined. */
  stats: number[];
  /** precision[t][r][k][a][m] (−1: no ground truth). */
  precision: Float64Array;
  /** recall[t][k][a][m]. */
  recall: Float64Array;
  shape: { T: number; R: number; K: number; A: number; M: number };
  params: CocoParams;
  imageIds: number[];
  categoryIds: number[];
}

/** evaluate + accumulate + summarize. */
export function cocoEvaluate(gt: CocoGroundTruth, dts: readonly CocoDetection[], params: CocoParams = defaultCocoParams()): CocoEvalResult {
  const p = params;
  const imgIds = gt.imageIds;
  const catIds = gt.categoryIds;
  const maxDets = [...p.maxDets].sort((a, b) => a - b);
  const maxDet = maxDets[maxDets.length - 1];
  const key = (img: number, cat: number): string => `${img}\u0000${cat}`;
  const gts = new Map<string, typeof gt.annotations>();
  const dtsBy = new Map<string, CocoDetection[]>();
  const catSet = new Set(catIds);
  // _prepare: file order within each (image, category).
  for (const g of gt.annotations) if (catSet.has(g.categoryId)) push(gts, key(g.imageId, g.categoryId), g);
  for (const d of dts) if (catSet.has(d.categoryId)) push(dtsBy, key(d.imageId, d.categoryId), d);

  // computeIoU: detections in score order, cut to maxDet, × gt in file order.
  const ious = new Map<string, number[][]>();
  for (const img of imgIds) {
    for (const cat of catIds) {
      const g = gts.get(key(img, cat)) ?? [];
      const d = byScoreDesc(dtsBy.get(key(img, cat)) ?? []).slice(0, maxDet);
      ious.set(key(img, cat), g.length === 0 || d.length === 0 ? [] : bboxIou(d.map((x) => x.bbox), g.map((x) => x.bbox), g.map((x) => x.iscrowd)));
    }
  }

  const T = p.iouThrs.length;
  const evaluateImg = (img: number, cat: number, aRng: [number, number]): ImageEval | undefined => {
    const g0 = gts.get(key(img, cat)) ?? [];
    const d0 = dtsBy.get(key(img, cat)) ?? [];
    if (g0.length === 0 && d0.length === 0) return undefined;
    const ignore0 = g0.map((g) => (g.iscrowd || g.area < aRng[0] || g.area > aRng[1] ? 1 : 0));
    // gt with ignore last (stable), detections by score (stable), cut to maxDet.
    const gtind = ignore0.map((_, i) => i).sort((a, b) => ignore0[a] - ignore0[b] || a - b);
    const gtList = gtind.map((i) => g0[i]);
    const gtIg = Uint8Array.from(gtind.map((i) => ignore0[i]));
    const dtList = byScoreDesc(d0).slice(0, maxDet);
    const iou = ious.get(key(img, cat))!;
    const G = gtList.length;
    const D = dtList.length;
    const gtm = Array.from({ length: T }, () => new Float64Array(G));
    const dtm = Array.from({ length: T }, () => new Float64Array(D));
    const dtIg = Array.from({ length: T }, () => new Uint8Array(D));
    if (iou.length > 0) {
      p.iouThrs.forEach((t, ti) => {
        dtList.forEach((d, di) => {
          let best = Math.min(t, 1 - 1e-10);
          let m = -1;
          for (let gi = 0; gi < G; gi++) {
            if (gtm[ti][gi] > 0 && !gtList[gi].iscrowd) continue;
            if (m > -1 && gtIg[m] === 0 && gtIg[gi] === 1) break;
            const v = iou[di][gtind[gi]];
            if (v < best) continue;
            best = v;
            m = gi;
          }
          if (m === -1) return;
          dtIg[ti][di] = gtIg[m];
          dtm[ti][di] = gtList[m].id;
          gtm[ti][m] = d.id;
        });
      });
    }
    // Unmatched detections outside the area range are ignored.
    dtList.forEach((d, di) => {
      const out = d.area < aRng[0] || d.area > aRng[1];
      for (let ti = 0; ti < T; ti++) if (dtm[ti][di] === 0 && out) dtIg[ti][di] = 1;
    });
    return { dtMatches: dtm, dtIgnore: dtIg, dtScores: dtList.map((d) => d.score), gtIgnore: gtIg };
  };
  const evalImgs = catIds.map((cat) => p.areaRng.map((aRng) => imgIds.map((img) => evaluateImg(img, cat, aRng))));

  // accumulate
  const R = p.recThrs.length;
  const K = catIds.length;
  const A = p.areaRng.length;
  const M = maxDets.length;
  const precision = new Float64Array(T * R * K * A * M).fill(-1);
  const recall = new Float64Array(T * K * A * M).fill(-1);
  const eps = 2 ** -52; // np.spacing(1)
  for (let k = 0; k < K; k++) {
    for (let a = 0; a < A; a++) {
      maxDets.forEach((md, m) => {
        const E = evalImgs[k][a].filter((e): e is ImageEval => e !== undefined);
        if (E.length === 0) return;
        const entries: Array<{ score: number; e: ImageEval; j: number }> = [];
        for (const e of E) for (let j = 0; j < Math.min(md, e.dtScores.length); j++) entries.push({ score: e.dtScores[j], e, j });
        const sorted = byScoreDesc(entries);
        let npig = 0;
        for (const e of E) for (const v of e.gtIgnore) if (v === 0) npig++;
        if (npig === 0) return;
        const nd = sorted.length;
        for (let t = 0; t < T; t++) {
          const rc = new Float64Array(nd);
          const pr = new Float64Array(nd);
          let tp = 0;
          let fp = 0;
          sorted.forEach(({ e, j }, i) => {
            const matched = e.dtMatches[t][j] !== 0;
            const ignored = e.dtIgnore[t][j] !== 0;
            if (matched && !ignored) tp++;
            if (!matched && !ignored) fp++;
            rc[i] = tp / npig;
            pr[i] = tp / (fp + tp + eps);
          });
          recall[((t * K + k) * A + a) * M + m] = nd ? rc[nd - 1] : 0;
          for (let i = nd - 1; i > 0; i--) if (pr[i] > pr[i - 1]) pr[i - 1] = pr[i];
          // searchsorted(rc, recThrs, side='left'); an index past the end stops the fill (q stays 0).
          let pi = 0;
          for (let ri = 0; ri < R; ri++) {
            while (pi < nd && rc[pi] < p.recThrs[ri]) pi++;
            if (pi >= nd) {
              for (let rj = ri; rj < R; rj++) precision[(((t * R + rj) * K + k) * A + a) * M + m] = 0;
              break;
            }
            precision[(((t * R + ri) * K + k) * A + a) * M + m] = pr[pi];
          }
        }
      });
    }
  }

  const shape = { T, R, K, A, M };
  const stats = summarize(precision, recall, shape, p, maxDets);
  return { stats, precision, recall, shape, params: p, imageIds: imgIds, categoryIds: catIds };
}

function push<T>(map: Map<string, T[]>, k: string, v: T): void {
  const list = map.get(k);
  if (list) list.push(v);
  else map.set(k, [v]);
}

/** The 12 entries of COCOeval.summarize, means as numpy's pairwise sum over the cells > −1. */
function summarize(precision: Float64Array, recall: Float64Array, s: CocoEvalResult['shape'], p: CocoParams, maxDets: number[]): number[] {
  const one = (ap: boolean, iouThr: number | undefined, areaLbl: string, md: number): number => {
    const a = p.areaRngLbl.indexOf(areaLbl);
    const m = maxDets.indexOf(md);
    const ts = iouThr === undefined ? p.iouThrs.map((_, i) => i) : p.iouThrs.flatMap((v, i) => (v === iouThr ? [i] : []));
    const vals: number[] = [];
    if (a < 0 || m < 0) return -1;
    for (const t of ts) {
      if (ap) {
        for (let r = 0; r < s.R; r++) for (let k = 0; k < s.K; k++) vals.push(precision[(((t * s.R + r) * s.K + k) * s.A + a) * s.M + m]);
      } else {
        for (let k = 0; k < s.K; k++) vals.push(recall[((t * s.K + k) * s.A + a) * s.M + m]);
      }
    }
    const kept = vals.filter((v) => v > -1);
    return kept.length === 0 ? -1 : numpyPairwiseSum(kept) / kept.length;
  };
  const [m0, m1, m2] = [maxDets[0], maxDets[1], maxDets[2]];
  return [
    one(true, undefined, 'all', m2),
    one(true, 0.5, 'all', m2),
    one(true, 0.75, 'all', m2),
    one(true, undefined, 'small', m2),
    one(true, undefined, 'medium', m2),
    one(true, undefined, 'large', m2),
    one(false, undefined, 'all', m0),
    one(false, undefined, 'all', m1),
    one(false, undefined, 'all', m2),
    one(false, undefined, 'small', m2),
    one(false, undefined, 'medium', m2),
    one(false, undefined, 'large', m2),
  ];
}

/** numpy's pairwise summation of a contiguous float64 array (np.add.reduce / np.mean: 0 + this). */
export function numpyPairwiseSum(a: ArrayLike<number>, start = 0, n = a.length - start): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[start + i];
    return res;
  }
  if (n <= 128) {
    const r = [0, 1, 2, 3, 4, 5, 6, 7].map((j) => a[start + j]);
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] += a[start + i + j];
    let res = r[0] + r[1] + (r[2] + r[3]) + (r[4] + r[5] + (r[6] + r[7]));
    for (; i < n; i++) res += a[start + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return numpyPairwiseSum(a, start, n2) + numpyPairwiseSum(a, start + n2, n - n2);
}

/** COCOeval.summarize's printed lines. */
export function cocoSummaryLines(r: CocoEvalResult): string[] {
  const p = r.params;
  const md = [...p.maxDets].sort((a, b) => a - b);
  const rows: Array<[boolean, number | undefined, string, number]> = [
    [true, undefined, 'all', md[2]], [true, 0.5, 'all', md[2]], [true, 0.75, 'all', md[2]],
    [true, undefined, 'small', md[2]], [true, undefined, 'medium', md[2]], [true, undefined, 'large', md[2]],
    [false, undefined, 'all', md[0]], [false, undefined, 'all', md[1]], [false, undefined, 'all', md[2]],
    [false, undefined, 'small', md[2]], [false, undefined, 'medium', md[2]], [false, undefined, 'large', md[2]],
  ];
  return rows.map(([ap, iou, area, m], i) => {
    const title = (ap ? 'Average Precision' : 'Average Recall').padEnd(18);
    const iouStr = (iou === undefined ? `${p.iouThrs[0].toFixed(2)}:${p.iouThrs[p.iouThrs.length - 1].toFixed(2)}` : iou.toFixed(2)).padEnd(9);
    return ` ${title} ${ap ? '(AP)' : '(AR)'} @[ IoU=${iouStr} | area=${area.padStart(6)} | maxDets=${String(m).padStart(3)} ] = ${r.stats[i].toFixed(3)}`;
  });
}
