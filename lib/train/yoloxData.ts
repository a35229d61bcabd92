/**
 * The YOLOX COCO dataset (`rsna-mammo prepare roi-dataset`, ALGORITHMS.md §7.8) as image lists for the
 * native trainer. Boxes are clipped and filtered as YOLOX's COCODataset.load_anno_from_ids does
 * (x1 = max(0, x), x2 = min(W, x1 + max(0, w)), kept when area > 0 and x2 ≥ x1, y2 ≥ y1); classes are
 * positions in the sorted category ids. Missing image files and degenerate boxes are reported by
 * name and left out; the run stops only when no usable training image remains.
 */
import fs from 'fs';
import path from 'path';
import { RsnaMammoError } from '../errors';

export interface CocoImageEntry {
  id: number;
  file: string;
  height: number;
  width: number;
  /** x0, y0, x1, y1 (clipped), class index. */
  boxes: [number, number, number, number, number][];
}

export interface CocoSplit {
  annotationFile: string;
  images: CocoImageEntry[];
  /** category id per class index (sorted ids). */
  categoryIds: number[];
  /** Human-readable problems: missing files, degenerate boxes. */
  problems: string[];
}

interface RawCoco {
  images?: { id: number; file_name: string; height: number; width: number }[];
  annotations?: { id?: number; image_id: number; bbox?: number[]; area?: number; category_id: number }[];
  categories?: { id: number }[];
}

/** Reads `annotations/instances_{split}2017.json` with images in `{split}2017/` under `dataDir`. */
export function readCocoSplit(dataDir: string, split: 'train' | 'val'): CocoSplit {
  const annotationFile = path.join(dataDir, 'annotations', `instances_${split}2017.json`);
  let raw: RawCoco;
  try {
    raw = JSON.parse(fs.readFileSync(annotationFile, 'utf8')) as RawCoco;
  } catch (err) {
    throw new RsnaMammoError('ERR_BAD_COCO', `cannot read the COCO annotations: ${(err as Error).message}`, { file: annotationFile });
  }
  if (!Array.isArray(raw.images) || !Array.isArray(raw.annotations) || !Array.isArray(raw.categories)) {
    throw new RsnaMammoError('ERR_BAD_COCO', 'expected "images", "annotations" and "categories" arrays', { file: annotationFile });
  }
  const categoryIds = raw.categories.map((c) => c.id).sort((a, b) => a - b);
  const byImage = new Map<number, NonNullable<RawCoco['annotations']>>();
  for (const a of raw.annotations) {
    const list = byImage.get(a.image_id) ?? [];
    list.push(a);
    byImage.set(a.image_id, list);
  }
  const problems: string[] = [];
  const images: CocoImageEntry[] = [];
  for (const im of raw.images) {
    const file = path.join(dataDir, `${split}2017`, im.file_name);
    if (!fs.existsSync(file)) {
      problems.push(`${split} image ${im.id}: file ${file} is missing (left out)`);
      continue;
    }
    if (!(im.width > 0 && im.height > 0)) {
      problems.push(`${split} image ${im.id} (${im.file_name}): invalid size ${im.width}x${im.height} (left out)`);
      continue;
    }
    const boxes: CocoImageEntry['boxes'] = [];
    for (const a of byImage.get(im.id) ?? []) {
      const b = a.bbox ?? [];
      const cls = categoryIds.indexOf(a.category_id);
      const x1 = Math.max(0, b[0]), y1 = Math.max(0, b[1]);
      const x2 = Math.min(im.width, x1 + Math.max(0, b[2])), y2 = Math.min(im.height, y1 + Math.max(0, b[3]));
      if (b.length !== 4 || !b.every(Number.isFinite) || cls < 0 || !((a.area ?? 0) > 0 && x2 >= x1 && y2 >= y1)) {
        problems.push(`${split} image ${im.id} (${im.file_name}): annotation ${a.id ?? '?'} has a degenerate box ${JSON.stringify(a.bbox)} or unknown category ${a.category_id} (left out)`);
        continue;
      }
      boxes.push([x1, y1, x2, y2, cls]);
    }
    images.push({ id: im.id, file, height: im.height, width: im.width, boxes });
  }
  return { annotationFile, images, categoryIds, problems };
}

/** The native image list: `path<TAB>height<TAB>width<TAB>x0,y0,x1,y1,cls;...`. */
export function writeManifest(images: CocoImageEntry[], file: string): void {
  const lines = images.map((im) => `${im.file}\t${im.height}\t${im.width}\t${im.boxes.map((b) => b.join(',')).join(';')}`);
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
}
