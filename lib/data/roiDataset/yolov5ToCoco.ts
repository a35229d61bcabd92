/**
 * YOLOv5 labels → COCO JSON with the conventions of the original converter src/tools/yolov5_2_coco.py
 * (ALGORITHMS.md §7.8.3): image ids 1..N per split, annotation ids one counter across splits,
 * category = class + 1, bbox [x0, y0, w·W, h·H] with x0/y0 clipped at 0 (size not reduced),
 * segmentation = the rectangle x0..min(x0 + w·W, W), y0..min(y0 + h·H, H).
 */
import { PyFloat, PyJson } from '../pythonJson';

/** One image of a split: its new COCO file name comes from its 1-based position. */
export interface CocoImageInput {
  height: number;
  width: number;
  /** Text of labels/{stem}.txt, or undefined when the file is missing (→ dummy annotation). */
  labelText: string | undefined;
}

export interface CocoCategory {
  supercategory: string;
  id: number;
  name: string;
}

/** Python's `max(a, 0)`: the int 0 only when 0 > a, else the float a. */
function clipLow(a: number): PyJson {
  return 0 > a ? 0 : new PyFloat(a);
}

/** Python's `min(a, limit)` with an int limit: the int only when limit < a. */
function clipHigh(a: number, limit: number): PyJson {
  return limit < a ? limit : new PyFloat(a);
}

function num(v: PyJson): number {
  return v instanceof PyFloat ? v.value : (v as number);
}

/** The converter; one instance converts train then val so annotation ids continue (as the original). */
export class Yolov5ToCoco {
  private annotationId = 1;
  readonly categories: CocoCategory[];

  /**
   * @param classes lines of classes.txt (e.g. ["ROI"])
   * @param year the `info.year` / `date_captured` value (the original uses the current local year)
   */
  constructor(classes: readonly string[], private readonly year: number) {
    this.categories = classes.map((name, i) => ({ supercategory: name, id: i + 1, name }));
  }

  /** `{id:012d}.jpg`, the file name of image `id` in `{mode}2017/`. */
  static fileName(id: number): string {
    return `${String(id).padStart(12, '0')}.jpg`;
  }

  /**
   * Converts one split; `onWarning` receives the original's "line corrupted" warnings.
   * @returns the COCO object in the original key order (info, images, licenses, type, annotations, categories)
   */
  convertSplit(images: readonly CocoImageInput[], onWarning: (msg: string) => void = () => undefined): { [key: string]: PyJson } {
    const imageEntries: PyJson[] = [];
    const annotations: PyJson[] = [];
    images.forEach((img, k) => {
      const id = k + 1;
      imageEntries.push({ date_captured: String(this.year), file_name: Yolov5ToCoco.fileName(id), id, height: img.height, width: img.width });
      if (img.labelText === undefined) {
        annotations.push({ segmentation: [], area: 0, iscrowd: 0, image_id: id, bbox: [], category_id: -1, id: this.annotationId++ });
        return;
      }
      readLines(img.labelText).forEach((line, i) => {
        const parts = line.split(' ');
        if (parts.length < 5) {
          onWarning(`The ${i + 1} line of the label of image ${id} has been corrupted.`);
          return;
        }
        const [cxN, cyN, wN, hN] = parts.slice(1, 5).map(Number);
        const cx = cxN * img.width;
        const cy = cyN * img.height;
        const boxW = wN * img.width;
        const boxH = hN * img.height;
        const x0 = clipLow(cx - boxW / 2);
        const y0 = clipLow(cy - boxH / 2);
        const x1 = clipHigh(num(x0) + boxW, img.width);
        const y1 = clipHigh(num(y0) + boxH, img.height);
        annotations.push({
          segmentation: [[x0, y0, x1, y0, x1, y1, x0, y1]],
          area: new PyFloat(boxW * boxH),
          iscrowd: 0,
          image_id: id,
          bbox: [x0, y0, new PyFloat(boxW), new PyFloat(boxH)],
          category_id: Number.parseInt(parts[0], 10) + 1,
          id: this.annotationId++,
        });
      });
    });
    return {
      info: { year: this.year, version: '1.0', description: 'For object detection', date_created: String(this.year) },
      images: imageEntries,
      licenses: [{ id: 1, name: 'Apache License v2.0', url: 'https://github.com/RapidAI/YOLO2COCO/LICENSE' }],
      type: 'instances',
      annotations,
      categories: this.categories.map((c) => ({ ...c })),
    };
  }
}

/** The original's `read_txt`: one entry per line with the trailing "\n" removed (no empty last entry). */
export function readLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}
