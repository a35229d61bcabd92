/**
 * `.safetensors` reader: u64 little-endian header length, a JSON header
 * `{name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?}`, then the raw tensor bytes.
 */
import fs from 'fs';
import { RsnaMammoError } from '../../errors';
import { DTYPE_BYTES, TorchDType, TorchTensor } from './pickle_values';
import { decodeElements } from './dtype_codec';

const SAFETENSORS_DTYPES: Record<string, TorchDType> = {
  F32: 'float32', F64: 'float64', F16: 'float16', BF16: 'bfloat16', I64: 'int64', I32: 'int32', I16: 'int16',
  I8: 'int8', U8: 'uint8', BOOL: 'bool',
};

/** Reads every tensor of a safetensors file into a Map (file order of the header). */
export function readSafetensors(file: string): Map<string, TorchTensor> {
  const buf = fs.readFileSync(file);
  const bad = (problem: string) => new RsnaMammoError('ERR_CHECKPOINT_CORRUPT', `safetensors: ${problem}`, { file });
  if (buf.length < 8) throw bad('file is truncated (no header length)');
  const headerLen = Number(buf.readBigUInt64LE(0));
  if (8 + headerLen > buf.length) throw bad(`header of ${headerLen} bytes exceeds the file (${buf.length} bytes): truncated`);
  let header: unknown;
  try {
    header = JSON.parse(buf.toString('utf8', 8, 8 + headerLen));
  } catch (err) {
    throw bad(`header is not JSON (${(err as Error).message})`);
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) throw bad('header is not a JSON object');
  const data = buf.subarray(8 + headerLen);
  const out = new Map<string, TorchTensor>();
  const natural = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') continue;
    const info = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
    if (!info || typeof info !== 'object') throw bad(`tensor "${name}" has no {dtype, shape, data_offsets} entry`);
    const dtype = SAFETENSORS_DTYPES[String(info.dtype)];
    if (!dtype) throw bad(`tensor "${name}" has unsupported dtype ${String(info.dtype)}`);
    if (!Array.isArray(info.shape) || !info.shape.every(natural) || info.shape.length > 16) throw bad(`tensor "${name}" has an invalid shape ${JSON.stringify(info.shape)}`);
    const offsets = info.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !natural(offsets[0]) || !natural(offsets[1]) || offsets[0] > offsets[1]) {
      throw bad(`tensor "${name}" has invalid data_offsets ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    const shape = info.shape as number[];
    const numel = shape.reduce((a, b) => a * b, 1);
    if (end > data.length || end - begin !== numel * DTYPE_BYTES[dtype]) {
      throw bad(`tensor "${name}" bytes ${begin}..${end} do not fit shape [${shape}] ${String(info.dtype)} or the file is truncated`);
    }
    out.set(name, new TorchTensor(dtype, shape.slice(), decodeElements(data.subarray(begin, end), dtype)));
  }
  return out;
}
