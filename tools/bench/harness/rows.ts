/**
 * The rows of each mode, from the available inputs. Quick mode keeps one input per row and few
 * repeats (under 3 minutes on 2 cores); full mode uses every RSNA file, every synthetic size, the
 * convnext_small-sized ensemble and the whole scale sweep.
 */
import { ENSEMBLES, Mode, PlannedRow, RealFile, SWEEP_COUNTS, COMPARATORS, item } from './plan';
import { SyntheticFile } from './synthetic';
import { BenchItem } from './types';

export interface RowInputs {
  real: RealFile[];
  /** Synthetic files per syntax, smallest first. */
  synthetic: { j2k: SyntheticFile[]; jll: SyntheticFile[] };
  /** Four distinct synthetic J2K files (one size) the sweep cycles through. */
  sweepPool: SyntheticFile[];
  allThreads: number;
  /** The JPEG 2000 codecs compiled into rsna-mammo's addon, default first (e.g. grok, openjpeg). */
  j2kCodecs?: string[];
}

const size = (f: { rows: number; cols: number }): string => `${f.rows}×${f.cols}`;

export function planRows(mode: Mode, inp: RowInputs): PlannedRow[] {
  const quick = mode === 'quick';
  const rsna = inp.real.filter((f) => f.path.includes('rsna-kaggle'));
  const rsnaSmall = rsna.filter((f) => f.rows < 3000);
  const otherReal = inp.real.filter((f) => !f.path.includes('rsna-kaggle'));
  const rsnaSet = quick ? rsnaSmall.slice(0, 1) : rsna;
  const rsnaLabel = (n: number): string => `RSNA J2K (.90), ${n} real file${n === 1 ? '' : 's'}`;
  const reps = quick ? { warmup: 1, repeats: 2 } : { warmup: 1, repeats: 3 };
  const rows: PlannedRow[] = [];
  const add = (r: Omit<PlannedRow, 'comparator' | 'warmup' | 'repeats'> & Partial<PlannedRow>): void => {
    if (r.items.length) rows.push({ comparator: COMPARATORS[r.stage], ...reps, ...r });
  };

  // Decode per transfer syntax: RSNA J2K first, then synthetic J2K / JPEG-LL sizes, then other real files.
  const j2k = inp.j2kCodecs ?? [];
  add({ stage: 'decode', input: `${rsnaLabel(rsnaSet.length)}${j2k[0] ? `, ${j2k[0]}` : ''}`, items: rsnaSet.map(item) });
  // Where a source build has Grok (AGPL-3.0), the prebuilt's decoder (libopenjp2) gets its own row.
  for (const codec of j2k.slice(1)) {
    add({ stage: 'decode', input: `${rsnaLabel(rsnaSet.length)}, ${codec} (the prebuilt's decoder)`, items: rsnaSet.map(item), nativeCodec: codec });
  }
  for (const syntax of ['j2k', 'jll'] as const) {
    const files = quick ? inp.synthetic[syntax].slice(0, 1) : inp.synthetic[syntax];
    for (const f of files) {
      add({ stage: 'decode', input: `synthetic ${syntax === 'j2k' ? 'J2K (.90)' : 'JPEG-LL (.70)'} ${size(f)} 12-bit`, items: [item(f)] });
    }
  }
  if (!quick) {
    for (const syntax of ['j2k', 'jll']) {
      const files = otherReal.filter((f) => f.syntax === syntax && f.rows * f.cols >= 1 << 20);
      add({ stage: 'decode', input: `other real ${syntax === 'j2k' ? 'J2K (.90)' : 'JPEG-LL (.70)'}, ${files.length} files ≥ 1 MP`, items: files.map(item) });
    }
  }

  // Preprocessing stages on RSNA files, plus the largest synthetic image.
  const largest = inp.synthetic.j2k[inp.synthetic.j2k.length - 1];
  for (const stage of ['detector_input', 'otsu_roi', 'classifier_input'] as const) {
    const r = stage === 'otsu_roi' ? { warmup: 2, repeats: quick ? 5 : 10 } : {};
    add({ stage, input: rsnaLabel(rsnaSet.length), items: rsnaSet.map(item), ...r });
    if (!quick && largest) add({ stage, input: `synthetic ${size(largest)}`, items: [item(largest)], ...r });
  }

  add({ stage: 'yolox', input: `YOLOX-nano 416, ${quick ? 1 : 3} RSNA detector inputs`, items: rsnaSet.slice(0, quick ? 1 : 3).map(item), warmup: 2, repeats: quick ? 3 : 10 });

  const ens = quick ? ENSEMBLES.small : ENSEMBLES.convnext_small;
  const ensItems: BenchItem[] = [{ id: 'ensemble-seed11', seed: 11, height: 2048, width: 1024 }];
  add({
    stage: 'ensemble',
    input: `${ens.folds}-fold ${ens.name} (depths ${ens.depths.join(',')}, dims ${ens.dims.join(',')}), random weights, 1×3×2048×1024`,
    items: ensItems,
    ensemble: ens,
    ...(quick ? { warmup: 1, repeats: 2 } : { warmup: 1, repeats: 2 }),
  });

  const e2eSet = quick ? rsnaSet.slice(0, 1) : rsnaSmall.slice(0, 2);
  add({
    stage: 'e2e',
    input: `per image: DICOM → ${ens.name} ensemble probability, ${e2eSet.length} RSNA file${e2eSet.length === 1 ? '' : 's'}`,
    items: e2eSet.map(item),
    ensemble: ens,
    warmup: 1,
    repeats: 1,
  });

  // Scale sweep: decode + detector input + Otsu + classifier input for N images, at all cores.
  if (inp.sweepPool.length) {
    for (const n of SWEEP_COUNTS[mode]) {
      const dicoms = Array.from({ length: n }, (_, i) => inp.sweepPool[i % inp.sweepPool.length].path);
      add({
        stage: 'sweep',
        input: `decode→classifier input, ${n} synthetic J2K ${size(inp.sweepPool[0])} image${n === 1 ? '' : 's'}`,
        items: [{ id: `sweep-${n}`, dicoms, workers: inp.allThreads }],
        warmup: 0,
        repeats: 1,
        threads: [inp.allThreads],
      });
    }
  }
  return rows;
}
