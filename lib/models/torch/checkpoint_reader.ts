/**
 * Reads what torch.save writes (zip container + pickle, see ../shared/golden/README.md "Checkpoint
 * formats") into plain JS values, with tensors as TorchTensor. Also reads `.safetensors`.
 * Never executes anything from the file.
 */
import fs from 'fs';
import { RsnaMammoError } from '../../errors';
import {
  DTYPE_BYTES, PickleObject, PyGlobal, STORAGE_DTYPES, TORCH_DTYPE_NAMES, TorchDType, TorchTensor,
} from './pickle_values';
import { Unpickler, UnpicklingError } from './unpickler';
import { ZipReader } from './zip_reader';
import { readSafetensors } from './safetensors';
import { decodeElements } from './dtype_codec';

interface StorageRef {
  key: string;
  dtype: TorchDType;
  numel: number;
}

/** The unpickler with torch's persistent storages and tensor rebuild functions. */
class TorchUnpickler extends Unpickler {
  constructor(buf: Buffer, private readonly storageBytes: Map<string, Buffer>, private readonly bigEndian: boolean) {
    super(buf);
  }

  protected override persistentLoad(pid: unknown): unknown {
    if (!Array.isArray(pid) || pid[0] !== 'storage') throw new UnpicklingError(`unexpected persistent id ${String(pid)}`);
    const [, type, key, , numel] = pid as [string, unknown, string, string, number];
    const typeName = type instanceof PyGlobal ? type.name : String(type);
    const dtype = STORAGE_DTYPES[typeName];
    if (!dtype) throw new UnpicklingError(`unsupported storage type ${typeName}`);
    return { key: String(key), dtype, numel: Number(numel) } satisfies StorageRef;
  }

  private bytesOf(ref: StorageRef): Buffer {
    const bytes = this.storageBytes.get(ref.key);
    if (!bytes) throw new UnpicklingError(`storage record data/${ref.key} is missing from the zip`);
    // torch.save writes exactly numel elements; a storage claiming more than its record holds is forged.
    if (!Number.isSafeInteger(ref.numel) || ref.numel < 0 || ref.numel * DTYPE_BYTES[ref.dtype] > bytes.length) {
      throw new UnpicklingError(`storage ${ref.key} declares ${ref.numel} elements but its record holds ${bytes.length} bytes`);
    }
    return bytes;
  }

  private rebuildTensor(storage: unknown, offset: unknown, size: unknown, stride: unknown, requiresGrad: unknown, dtypeOverride?: TorchDType): TorchTensor {
    const ref = storage as StorageRef;
    if (!ref || typeof ref.key !== 'string') throw new UnpicklingError('tensor without a storage');
    const dtype = dtypeOverride ?? ref.dtype;
    if (!Array.isArray(size) || !Array.isArray(stride) || size.length !== stride.length || size.length > 16) {
      throw new UnpicklingError(`tensor of storage ${ref.key} has malformed size/stride`);
    }
    const shape = size.map(Number);
    const strides = stride.map(Number);
    const start = Number(offset);
    const natural = (x: number): boolean => Number.isSafeInteger(x) && x >= 0;
    if (!natural(start)) throw new UnpicklingError(`tensor of storage ${ref.key} has storage offset ${String(offset)} (must be an integer ≥ 0)`);
    if (!shape.every(natural) || !strides.every(natural)) {
      throw new UnpicklingError(`tensor of storage ${ref.key} has size [${shape}] / stride [${strides}] (integers ≥ 0 expected)`);
    }
    const bytes = this.bytesOf(ref);
    const elemBytes = DTYPE_BYTES[dtype];
    const available = Math.floor(bytes.length / elemBytes);
    const numel = shape.reduce((a, b) => a * b, 1);
    // A tensor may not hold more elements than its storage (a stride-0 view of one value would
    // otherwise be materialised at any size the pickle claims).
    if (!Number.isSafeInteger(numel) || numel > available) {
      throw new UnpicklingError(`tensor of shape [${shape}] needs ${numel} elements, its storage ${ref.key} holds ${available}`);
    }
    // Element index in storage of each row-major position (handles views and non-contiguous strides).
    let maxIndex = start;
    for (let d = 0; d < shape.length; d++) if (shape[d] > 0) maxIndex += (shape[d] - 1) * strides[d];
    if (numel > 0 && maxIndex >= available) {
      throw new UnpicklingError(`tensor view exceeds its storage ${ref.key} (${available} elements)`);
    }
    const contiguous = isContiguous(shape, strides);
    let raw: Buffer;
    if (contiguous || numel === 0) {
      raw = bytes.subarray(start * elemBytes, (start + numel) * elemBytes);
    } else {
      raw = Buffer.allocUnsafe(numel * elemBytes);
      const idx = new Array<number>(shape.length).fill(0);
      for (let i = 0; i < numel; i++) {
        let src = start;
        for (let d = 0; d < shape.length; d++) src += idx[d] * strides[d];
        bytes.copy(raw, i * elemBytes, src * elemBytes, (src + 1) * elemBytes);
        for (let d = shape.length - 1; d >= 0; d--) {
          if (++idx[d] < shape[d]) break;
          idx[d] = 0;
        }
      }
    }
    return new TorchTensor(dtype, shape, decodeElements(raw, dtype, this.bigEndian), requiresGrad === true);
  }

  protected override callGlobal(fn: PyGlobal, args: unknown[]): unknown {
    switch (fn.qualifiedName) {
      case 'torch._utils._rebuild_tensor':
      case 'torch._utils._rebuild_tensor_v2':
        return this.rebuildTensor(args[0], args[1], args[2], args[3], args[4]);
      case 'torch._utils._rebuild_tensor_v3': {
        const dt = args[6];
        const dtype = dt instanceof PyGlobal ? TORCH_DTYPE_NAMES[dt.name] : undefined;
        if (!dtype) throw new UnpicklingError(`unsupported tensor dtype ${String(dt)}`);
        return this.rebuildTensor(args[0], args[1], args[2], args[3], args[4], dtype);
      }
      case 'torch._utils._rebuild_parameter':
      case 'torch._utils._rebuild_parameter_with_state':
        return args[0];
      case 'torch._tensor._rebuild_from_type_v2':
      case 'torch._utils._rebuild_from_type_v2': {
        const inner = args[0];
        return inner instanceof PyGlobal ? this.callGlobal(inner, (args[2] as unknown[]) ?? []) : new PickleObject(fn.module, fn.name, args);
      }
      case 'numpy.core.multiarray.scalar':
      case 'numpy._core.multiarray.scalar':
        return numpyScalar(args[0], args[1]) ?? super.callGlobal(fn, args);
      default:
        return super.callGlobal(fn, args);
    }
  }
}

function isContiguous(shape: number[], strides: number[]): boolean {
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1 && strides[d] !== expected) return false;
    expected *= shape[d];
  }
  return true;
}

const NUMPY_SCALAR_TYPES: Record<string, TorchDType> = {
  f8: 'float64', f4: 'float32', f2: 'float16', i8: 'int64', i4: 'int32', i2: 'int16', i1: 'int8', u1: 'uint8', b1: 'bool',
};

/** numpy scalars (e.g. the `metric` numpy.float64) → number (bigint for int64 beyond 2^53). */
function numpyScalar(dtype: unknown, data: unknown): number | bigint | boolean | undefined {
  if (!(dtype instanceof PickleObject) || !Buffer.isBuffer(data)) return undefined;
  const code = String(dtype.args[0]);
  const kind = NUMPY_SCALAR_TYPES[code];
  if (!kind) return undefined;
  const state = dtype.state as unknown[] | undefined;
  const bigEndian = Array.isArray(state) && state[1] === '>';
  const v = decodeElements(data, kind, bigEndian)[0];
  if (kind === 'bool') return v === 1;
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  return v as number;
}

/** The record prefix (e.g. `tmp.pth/`, `archive/`) of a torch zip, found from its data.pkl entry. */
function findPrefix(zip: ZipReader): string {
  const candidates = [...zip.entries.keys()].filter((n) => n === 'data.pkl' || n.endsWith('/data.pkl'));
  if (candidates.length === 0) {
    throw new RsnaMammoError('ERR_CHECKPOINT_CORRUPT', 'zip has no data.pkl record: not a torch.save checkpoint', { file: zip.file });
  }
  candidates.sort((a, b) => a.length - b.length);
  return candidates[0].slice(0, -'data.pkl'.length);
}

/** safetensors starts with a u64 header length followed by a JSON object. */
function looksLikeSafetensors(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(9);
    const n = fs.readSync(fd, head, 0, 9, 0);
    return n === 9 && head[8] === 0x7b && Number(head.readBigUInt64LE(0)) < fs.fstatSync(fd).size;
  } finally {
    fs.closeSync(fd);
  }
}

async function readTorchZip(file: string): Promise<unknown> {
  const zip = ZipReader.open(file);
  try {
    const prefix = findPrefix(zip);
    const byteorder = zip.entries.has(`${prefix}byteorder`) ? zip.read(`${prefix}byteorder`).toString('ascii').trim() : 'little';
    // Every storage record is read up front with non-blocking reads; unpickling then only decodes.
    const storages = new Map<string, Buffer>();
    for (const name of zip.entries.keys()) {
      if (name.startsWith(`${prefix}data/`)) storages.set(name.slice(prefix.length + 5), await zip.readAsync(name));
    }
    const unpickler = new TorchUnpickler(zip.read(`${prefix}data.pkl`), storages, byteorder === 'big');
    try {
      return unpickler.load();
    } catch (err) {
      if (err instanceof RsnaMammoError) throw err;
      const limit = /pickle bomb|needs \d+ elements/.test((err as Error).message);
      throw new RsnaMammoError(limit ? 'ERR_CHECKPOINT_LIMIT' : 'ERR_CHECKPOINT_CORRUPT', `cannot unpickle ${prefix}data.pkl: ${(err as Error).message}`, { file, cause: err });
    }
  } finally {
    zip.close();
  }
}

/**
 * Reads a PyTorch checkpoint (`torch.save` zip format, any record prefix) or a `.safetensors` file.
 * dicts become Maps, tensors TorchTensor, unknown classes inert PickleObject placeholders.
 * @param file path of the checkpoint
 * @returns the unpickled object (for safetensors: a Map of name → TorchTensor)
 * @throws RsnaMammoError `ERR_CHECKPOINT_CORRUPT` for truncated/corrupt files, `ERR_FILE_NOT_FOUND`
 * @example const ckpt = await readTorchCheckpoint('best_convnext_fold_0.pth.tar') as Map<string, unknown>;
 */
export async function readTorchCheckpoint(file: string): Promise<unknown> {
  if (!fs.existsSync(file)) throw new RsnaMammoError('ERR_FILE_NOT_FOUND', 'checkpoint file does not exist', { file });
  if (file.endsWith('.safetensors') || looksLikeSafetensors(file)) return readSafetensors(file);
  return readTorchZip(file);
}

