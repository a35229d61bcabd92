/**
 * ConvNeXt weights between timm checkpoints and the native trainer: which model a state dict holds
 * (depths/dims read from its names and shapes, so any size works), the flat float32 + text layout
 * files the executable loads, and back from the executable's flat outputs to named tensors.
 */
import fs from 'fs';
import { RsnaMammoError } from '../errors';
import { readTorchCheckpoint } from '../models/torch/checkpoint_reader';
import { TorchTensor } from '../models/torch/pickle_values';
import { readSafetensors } from '../models/torch/safetensors';

export interface ConvNeXtShape {
  depths: number[];
  dims: number[];
  inChans: number;
  numClasses: number;
}

/** One named tensor of a flat file: `key`, `shape`, element `offset`/`numel`. */
export interface LayoutEntry {
  key: string;
  shape: number[];
  offset: number;
  numel: number;
}

function bad(file: string, message: string): RsnaMammoError {
  return new RsnaMammoError('ERR_BAD_CHECKPOINT', message, { file });
}

/** The weights a classifier checkpoint is trained/used from: `state_dict_ema` when present (timm's loader, ALGORITHMS.md §4.3), else `state_dict`, else the object itself (a plain state dict or .safetensors). */
export async function readClassifierStateDict(file: string): Promise<Map<string, TorchTensor>> {
  // timm's hub weights come as model.safetensors; checkpoints as torch zip+pickle.
  const ckpt = file.endsWith('.safetensors') ? readSafetensors(file) : await readTorchCheckpoint(file);
  let sd: unknown = ckpt;
  if (ckpt instanceof Map) sd = ckpt.get('state_dict_ema') ?? ckpt.get('state_dict') ?? ckpt;
  if (!(sd instanceof Map)) throw bad(file, 'holds no state_dict');
  const out = new Map<string, TorchTensor>();
  for (const [k, v] of sd) {
    if (typeof k !== 'string' || !(v instanceof TorchTensor)) continue;
    out.set(k.startsWith('module.') ? k.slice(7) : k, v);
  }
  if (out.size === 0) throw bad(file, 'holds no tensors');
  return out;
}

/** Depths/dims/in_chans/classes of a timm ConvNeXt state dict; ERR_BAD_CHECKPOINT names `file` otherwise. */
export function convnextShapeOf(sd: Map<string, TorchTensor>, file: string): ConvNeXtShape {
  const stem = sd.get('stem.0.weight');
  const fc = sd.get('head.fc.weight');
  if (!stem || stem.shape.length !== 4) throw bad(file, 'no ConvNeXt patch stem (stem.0.weight)');
  if (!fc || fc.shape.length !== 2) throw bad(file, 'no ConvNeXt head (head.fc.weight)');
  const depths = [0, 0, 0, 0];
  const dims = [0, 0, 0, 0];
  for (const [k, v] of sd) {
    const m = /^stages\.(\d+)\.blocks\.(\d+)\.conv_dw\.weight$/.exec(k);
    if (!m) continue;
    const s = Number(m[1]);
    if (s > 3) throw bad(file, `unexpected stage ${s} (ConvNeXt has 4)`);
    depths[s] = Math.max(depths[s], Number(m[2]) + 1);
    dims[s] = v.shape[0];
  }
  if (depths.some((d) => d === 0)) throw bad(file, `a ConvNeXt stage has no blocks (depths ${depths.join(',')})`);
  return { depths, dims, inChans: stem.shape[1], numClasses: fc.shape[0] };
}

/** Writes `tensors` (float32, C order) concatenated to `flatFile` and their `key<TAB>shape` lines to `layoutFile`. */
export function writeNamedFlat(tensors: Map<string, TorchTensor>, flatFile: string, layoutFile: string): void {
  const lines: string[] = [];
  const fd = fs.openSync(flatFile, 'w');
  try {
    for (const [key, t] of tensors) {
      if (t.dtype !== 'float32' && t.dtype !== 'float16' && t.dtype !== 'bfloat16' && t.dtype !== 'float64') {
        throw new RsnaMammoError('ERR_BAD_CHECKPOINT', `${key} has dtype ${t.dtype}, expected a floating tensor`);
      }
      const f32 = t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as Float64Array);
      fs.writeSync(fd, Buffer.from(f32.buffer, f32.byteOffset, f32.byteLength));
      lines.push(`${key}\t${t.shape.join(',')}`);
    }
  } finally {
    fs.closeSync(fd);
  }
  fs.writeFileSync(layoutFile, `${lines.join('\n')}\n`);
}

/** Parses a `key<TAB>d0,d1,...` layout (written by the executable or writeNamedFlat). */
export function readLayout(file: string): LayoutEntry[] {
  const out: LayoutEntry[] = [];
  let offset = 0;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    const [key, dims] = line.split('\t');
    const shape = dims ? dims.split(',').filter(Boolean).map(Number) : [];
    const numel = shape.reduce((a, b) => a * b, 1);
    out.push({ key, shape, offset, numel });
    offset += numel;
  }
  return out;
}

/** Named float32 tensors from a flat file in `layout` order (its size must match). */
export function readNamedFlat(file: string, layout: LayoutEntry[]): Map<string, TorchTensor> {
  const buf = fs.readFileSync(file);
  const total = layout.reduce((a, e) => a + e.numel, 0);
  if (buf.length !== total * 4) {
    throw new RsnaMammoError('ERR_BAD_SIZE', `${buf.length / 4} float32 values, the layout has ${total}`, { file });
  }
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
  const out = new Map<string, TorchTensor>();
  for (const e of layout) out.set(e.key, new TorchTensor('float32', e.shape, all.slice(e.offset, e.offset + e.numel)));
  return out;
}
