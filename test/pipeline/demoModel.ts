/**
 * A small untrained ensemble ONNX for tests that need a real model but no ../shared: the demo's
 * seeded random ConvNeXt checkpoints (lib/models makeRandomConvnextCheckpoint) converted once per
 * test run into a temporary folder.
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { makeRandomConvnextCheckpoint } from '../../lib/models/random_convnext';
import { convertClassifier } from '../../lib/models/convert_classifier';

/** Writes 4 random fold checkpoints into `dir` and returns their paths. */
export async function randomFolds(dir: string, seed = 7): Promise<string[]> {
  fs.mkdirSync(dir, { recursive: true });
  const files = [0, 1, 2, 3].map((k) => path.join(dir, `best_convnext_fold_${k}.pth.tar`));
  for (const [k, f] of files.entries()) await makeRandomConvnextCheckpoint(f, { depths: [1, 1, 1, 1], dims: [8, 16, 24, 32], seed: seed + k });
  return files;
}

/** The ensemble ONNX of {@link randomFolds} (fresh temporary folder). */
export async function randomEnsembleOnnx(): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rsna-model-'));
  const out = path.join(dir, 'ensemble.onnx');
  await convertClassifier(await randomFolds(dir), out);
  return out;
}
