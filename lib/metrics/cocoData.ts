/**
 * COCO ground truth and bbox detections as pycocotools' COCO / loadRes index them (the YOLOX ROI
 * detector's validation metric, docs/ALGORITHMS.md §10.5), validated with typed errors.
 */
import fs from 'fs';
import { RsnaMammoError } from '../errors';

export type Box = [number, number, number, number];

export interface CocoGtAnnotation {
  id: number;
  imageId: number;
  categoryId: number;
  /** [x, y, w, h] */
  bbox: Box;
  /** The stored `area` (pycocotools uses it, not the box, for the area ranges). */
  area: number;
  iscrowd: boolean;
}

export interface CocoDetection {
  /** 1-based position in the results list (loadRes assigns id = index + 1). */
  id: number;
  imageId: number;
  categoryId: number;
  bbox: Box;
  /** w·h, as loadRes sets it. */
  area: number;
  score: number;
}

export interface CocoGroundTruth {
  imageIds: number[];
  categoryIds: number[];
  /** In file order. */
  annotations: CocoGtAnnotation[];
}

function fail(file: string | undefined, message: string): never {
  throw new RsnaMammoError('ERR_COCO_INPUT', message, { file });
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new RsnaMammoError('ERR_COCO_INPUT', `cannot read: ${(err as Error).message}`, { file, cause: err });
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new RsnaMammoError('ERR_COCO_INPUT', `not valid JSON: ${(err as Error).message}`, { file, cause: err });
  }
}

function num(v: unknown, what: string, file?: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(file, `${what} is ${JSON.stringify(v)}, not a finite number`);
  return v;
}

/** How boxes with width or height ≤ 0 are treated. */
export interface CocoParseOptions {
  /**
   * false (default): a typed error naming the box. true: evaluate them as pycocotools does (area w·h
   * may be ≤ 0, so they fall outside every area range; their IoU is 0 unless the formula gives more).
   */
  allowDegenerateBoxes?: boolean;
}

function box(v: unknown, what: string, file: string | undefined, o: CocoParseOptions): Box {
  if (!Array.isArray(v) || v.length !== 4) fail(file, `${what}: bbox must be [x, y, w, h], got ${JSON.stringify(v)}`);
  const b = v.map((x, i) => num(x, `${what} bbox[${i}]`, file)) as Box;
  if (!o.allowDegenerateBoxes && !(b[2] > 0 && b[3] > 0)) {
    fail(file, `${what}: degenerate bbox ${JSON.stringify(v)} (width and height must be > 0; --allow-degenerate evaluates it as pycocotools does)`);
  }
  return b;
}

/**
 * Parses a ground-truth dataset (`images`, `annotations`, `categories`).
 * @throws RsnaMammoError ERR_COCO_INPUT naming the file and the offending entry: missing lists,
 *   duplicate ids, an annotation of an unknown image, a degenerate box, a missing area
 */
export function parseCocoGroundTruth(data: unknown, file?: string, o: CocoParseOptions = {}): CocoGroundTruth {
  const d = data as { images?: unknown; annotations?: unknown; categories?: unknown } | null;
  if (!d || typeof d !== 'object' || !Array.isArray(d.images)) fail(file, 'ground truth has no "images" list');
  if (!Array.isArray(d.annotations)) fail(file, 'ground truth has no "annotations" list');
  if (!Array.isArray(d.categories)) fail(file, 'ground truth has no "categories" list');
  const imageIds = new Set<number>();
  (d.images as unknown[]).forEach((img, i) => {
    const id = num((img as { id?: unknown })?.id, `images[${i}].id`, file);
    if (imageIds.has(id)) fail(file, `images[${i}]: duplicate image id ${id}`);
    imageIds.add(id);
  });
  const categoryIds = new Set<number>((d.categories as unknown[]).map((c, i) => num((c as { id?: unknown })?.id, `categories[${i}].id`, file)));
  const annIds = new Set<number>();
  const annotations = (d.annotations as unknown[]).map((raw, i): CocoGtAnnotation => {
    const a = raw as Record<string, unknown>;
    const what = `annotations[${i}]`;
    const id = num(a?.id, `${what}.id`, file);
    if (annIds.has(id)) fail(file, `${what}: duplicate annotation id ${id}`);
    annIds.add(id);
    const imageId = num(a.image_id, `${what}.image_id`, file);
    if (!imageIds.has(imageId)) fail(file, `${what}: image_id ${imageId} is not in "images"`);
    if (a.area === undefined) fail(file, `${what}: no "area" (COCOeval uses it for the area ranges)`);
    return { id, imageId, categoryId: num(a.category_id, `${what}.category_id`, file), bbox: box(a.bbox, what, file, o), area: num(a.area, `${what}.area`, file), iscrowd: Boolean(a.iscrowd) };
  });
  const sortNum = (s: Set<number>): number[] => [...s].sort((x, y) => x - y);
  return { imageIds: sortNum(imageIds), categoryIds: sortNum(categoryIds), annotations };
}

/**
 * Parses a results list as `COCO.loadRes` does for boxes (id = index + 1, area = w·h, not crowd).
 * @throws RsnaMammoError ERR_COCO_INPUT for a detection of an image the ground truth lacks (pycocotools'
 *   "Results do not correspond to current coco set"), a degenerate box or a non-finite score
 */
export function parseCocoDetections(data: unknown, gt: CocoGroundTruth, file?: string, o: CocoParseOptions = {}): CocoDetection[] {
  if (!Array.isArray(data)) fail(file, 'detections must be a JSON list of {image_id, category_id, bbox, score}');
  const images = new Set(gt.imageIds);
  const missing = new Set<number>();
  const dets = data.map((raw, i): CocoDetection => {
    const a = raw as Record<string, unknown>;
    const what = `detection ${i}`;
    const imageId = num(a?.image_id, `${what} image_id`, file);
    if (!images.has(imageId)) missing.add(imageId);
    const bbox = box(a.bbox, what, file, o);
    return { id: i + 1, imageId, categoryId: num(a.category_id, `${what} category_id`, file), bbox, area: bbox[2] * bbox[3], score: num(a.score, `${what} score`, file) };
  });
  if (missing.size > 0) {
    const ids = [...missing].sort((x, y) => x - y);
    fail(file, `detections of image id(s) ${ids.slice(0, 10).join(', ')}${ids.length > 10 ? ', …' : ''} that the ground truth does not have`);
  }
  return dets;
}

/** Reads both files. */
export function readCocoFiles(gtFile: string, dtFile: string, o: CocoParseOptions = {}): { gt: CocoGroundTruth; dt: CocoDetection[] } {
  const gt = parseCocoGroundTruth(readJson(gtFile), gtFile, o);
  return { gt, dt: parseCocoDetections(readJson(dtFile), gt, dtFile, o) };
}
