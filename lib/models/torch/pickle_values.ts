/**
 * How Python values from a checkpoint look in JS. dict/OrderedDict → Map (keeps order and non-string
 * keys), list/tuple → array, int → number (bigint beyond 2^53), bytes → Buffer, set → Set, None → null.
 * Classes we do not build become inert PickleObject placeholders: nothing in a pickle is ever executed.
 */

/** A global (class or function) named by the pickle; only a name, never resolved to code. */
export class PyGlobal {
  constructor(readonly module: string, readonly name: string) {}
  get qualifiedName(): string {
    return `${this.module}.${this.name}`;
  }
}

/** Placeholder for an instance of a class we do not build (argparse.Namespace, torch.device, ...). */
export class PickleObject {
  /** Python state set by BUILD (usually the instance `__dict__`). */
  state: unknown = undefined;
  constructor(readonly module: string, readonly name: string, readonly args: unknown[] = []) {}
  get qualifiedName(): string {
    return `${this.module}.${this.name}`;
  }
}

/** Marks a JS array that must be pickled as a Python tuple (the writer's default is list). */
export class PyTuple {
  constructor(readonly items: unknown[]) {}
}

/** Marks a number that must be pickled as a Python float even when it is integral (e.g. `2.0`). */
export class PyFloat {
  constructor(readonly value: number) {}
}

export type TorchDType = 'float32' | 'float64' | 'float16' | 'bfloat16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';
export type TensorArray = Float32Array | Float64Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array;

/**
 * A tensor from a checkpoint, contiguous in row-major order. float16/bfloat16 values are widened
 * exactly to a Float32Array (`dtype` keeps the stored type); bool is a Uint8Array of 0/1.
 */
export class TorchTensor {
  constructor(
    readonly dtype: TorchDType,
    readonly shape: number[],
    readonly data: TensorArray,
    readonly requiresGrad = false,
  ) {}

  get numel(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }
}

/** Bytes per element as stored on disk. */
export const DTYPE_BYTES: Record<TorchDType, number> = {
  float32: 4, float64: 8, float16: 2, bfloat16: 2, int64: 8, int32: 4, int16: 2, int8: 1, uint8: 1, bool: 1,
};

/** torch storage class names (torch.FloatStorage ...) and their element types. */
export const STORAGE_DTYPES: Record<string, TorchDType> = {
  FloatStorage: 'float32', DoubleStorage: 'float64', HalfStorage: 'float16', BFloat16Storage: 'bfloat16',
  LongStorage: 'int64', IntStorage: 'int32', ShortStorage: 'int16', CharStorage: 'int8', ByteStorage: 'uint8',
  BoolStorage: 'bool', UntypedStorage: 'uint8',
};

/** torch dtype globals (torch.float32 ...) used by _rebuild_tensor_v3. */
export const TORCH_DTYPE_NAMES: Record<string, TorchDType> = {
  float32: 'float32', float: 'float32', float64: 'float64', double: 'float64', float16: 'float16', half: 'float16',
  bfloat16: 'bfloat16', int64: 'int64', long: 'int64', int32: 'int32', int: 'int32', int16: 'int16', short: 'int16',
  int8: 'int8', uint8: 'uint8', bool: 'bool',
};
