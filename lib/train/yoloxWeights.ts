/**
 * YOLOX weights between the original's checkpoints (`yolox.utils.save_checkpoint`: `model`,
 * `optimizer`, `start_epoch`, `best_ap`, `curr_ap`) and the native trainer's flat float32 + layout
 * files. The architecture comes from the checkpoint (lib/models/yolox.ts `inferYoloxConfig`).
 */
import { pickStateDict, StateDict } from '../models/state_dict';
import { readTorchCheckpoint } from '../models/torch/checkpoint_reader';
import { TorchTensor } from '../models/torch/pickle_values';
import { inferYoloxConfig, YoloxConfig } from '../models/yolox';
import { writeNamedFlat } from './convnextWeights';

export interface YoloxInit {
  config: YoloxConfig;
  stateDict: StateDict;
  /** The whole checkpoint object (optimizer state, epoch, best_ap for --resume). */
  checkpoint: unknown;
}

/** Reads a YOLOX checkpoint (`model` entry, or a bare state dict) and its architecture. */
export async function readYoloxCheckpoint(file: string, overrides: Partial<YoloxConfig> = {}): Promise<YoloxInit> {
  const checkpoint = await readTorchCheckpoint(file);
  const { stateDict } = pickStateDict(checkpoint, ['model', 'state_dict'], file);
  return { config: inferYoloxConfig(stateDict, file, overrides), stateDict, checkpoint };
}

/** The floating entries (parameters + BN running stats), in state_dict order, as flat + layout files. */
export function writeYoloxFlatState(sd: StateDict, flatFile: string, layoutFile: string): void {
  const floating = new Map<string, TorchTensor>();
  for (const [k, t] of sd) if (t.dtype.startsWith('float') || t.dtype === 'bfloat16') floating.set(k, t);
  writeNamedFlat(floating, flatFile, layoutFile);
}

/** Architecture options of the native subcommands. */
export function yoloxArchArgs(c: YoloxConfig): string[] {
  return ['--depth', String(c.depth), '--width', String(c.width), '--num-classes', String(c.numClasses), ...(c.depthwise ? [] : ['--no-depthwise'])];
}
