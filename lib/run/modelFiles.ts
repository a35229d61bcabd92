/**
 * Where the models of each submission mode live (ALGORITHMS.md §5.2, §12.3–12.4) and the
 * convert-once cache: an ONNX file next to the checkpoints, rebuilt only when missing or older than
 * its checkpoints (the original builds TensorRT engines the same way, §4.5–4.6).
 */
import fs from 'fs';
import path from 'path';
import { RsnaMammoError, invalidArgument } from '../errors';
import type { Settings } from '../settings';

export type SubmitMode = 'trained' | 'partial_reproduce' | 'reproduce';
export const SUBMIT_MODES: readonly SubmitMode[] = ['trained', 'partial_reproduce', 'reproduce'];

/** The 4 fold checkpoints' names (§12.3). */
export const FOLD_CHECKPOINTS: readonly string[] = [0, 1, 2, 3].map((k) => `best_convnext_fold_${k}.pth.tar`);
/** The ensemble ONNX cached beside them (our stand-in for best_ensemble_convnext_small_batch2_fp32.engine). */
export const ENSEMBLE_ONNX = 'best_ensemble_convnext_small_fp32.onnx';
/** The YOLOX torch checkpoint (§12.3) and its cached ONNX. */
export const YOLOX_CHECKPOINT = 'yolox_nano_416_roi_torch.pth';
export const YOLOX_ONNX = 'yolox_nano_416_roi.onnx';

/** Model files of one mode. */
export interface ModelFiles {
  classifierDir: string;
  classifierCheckpoints: string[];
  classifierOnnx: string;
  detectorDir: string;
  detectorCheckpoint: string;
  detectorOnnx: string;
}

/**
 * The folders of §5.2: trained = ASSETS/trained for both; partial_reproduce = YOLOX from
 * ASSETS/trained, ConvNeXt from MODEL_FINAL_SELECTION_DIR; reproduce = both from MODEL_FINAL_SELECTION_DIR.
 */
export function modelFiles(mode: SubmitMode, settings: Settings): ModelFiles {
  if (!SUBMIT_MODES.includes(mode)) throw invalidArgument('mode', SUBMIT_MODES.join(' | '), mode);
  const trained = path.join(settings.ASSETS_DIR, 'trained');
  const final = settings.MODEL_FINAL_SELECTION_DIR;
  const classifierDir = mode === 'trained' ? trained : final;
  const detectorDir = mode === 'reproduce' ? final : trained;
  return {
    classifierDir,
    classifierCheckpoints: FOLD_CHECKPOINTS.map((f) => path.join(classifierDir, f)),
    classifierOnnx: path.join(classifierDir, ENSEMBLE_ONNX),
    detectorDir,
    detectorCheckpoint: path.join(detectorDir, YOLOX_CHECKPOINT),
    detectorOnnx: path.join(detectorDir, YOLOX_ONNX),
  };
}

const mtime = (f: string): number => fs.statSync(f).mtimeMs;

/** Whether `onnx` can be used as is: present, and not older than any existing source. */
export function cacheIsFresh(onnx: string, sources: readonly string[]): boolean {
  if (!fs.existsSync(onnx)) return false;
  const existing = sources.filter((s) => fs.existsSync(s));
  return existing.every((s) => mtime(s) <= mtime(onnx));
}

/**
 * Returns `onnx`, converting `sources` into it first when needed (once; later runs reuse it).
 * @param what name for messages ("classifier ensemble", "YOLOX detector").
 * @param convert writes the ONNX file to the given path.
 * @param log receives "converting…" / "using cached…" lines.
 * @throws RsnaMammoError ERR_MODEL_MISSING naming the missing files and where to get them.
 */
export async function ensureOnnx(
  what: string,
  sources: readonly string[],
  onnx: string,
  convert: (sources: string[], out: string) => Promise<unknown>,
  log: (line: string) => void = () => {},
): Promise<string> {
  if (cacheIsFresh(onnx, sources)) {
    log(`${what}: using ${onnx}`);
    return onnx;
  }
  const missing = sources.filter((s) => !fs.existsSync(s));
  if (missing.length > 0) {
    throw new RsnaMammoError(
      'ERR_MODEL_MISSING',
      `${what}: missing ${missing.join(', ')} (and no converted ${path.basename(onnx)}). ` +
        'See assets/trained/README.md for how to get the checkpoints.',
    );
  }
  log(`${what}: converting ${sources.map((s) => path.basename(s)).join(', ')} to ONNX once → ${onnx} (cached for later runs)`);
  const tmp = `${onnx}.${process.pid}.partial`;
  try {
    await convert([...sources], tmp);
    fs.renameSync(tmp, onnx);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  return onnx;
}
