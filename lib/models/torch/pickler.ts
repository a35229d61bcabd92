/**
 * Pickle protocol 2 writer for the values torch.save produces (the inverse of unpickler.ts):
 * tensors become `torch._utils._rebuild_tensor_v2` calls whose storages are persistent ids, written
 * by the zip writer as `<prefix>/data/<key>`.
 */
import { PickleObject, PyFloat, PyTuple, TorchDType, TorchTensor } from './pickle_values';

const STORAGE_CLASS: Record<TorchDType, string> = {
  float32: 'FloatStorage', float64: 'DoubleStorage', float16: 'HalfStorage', bfloat16: 'BFloat16Storage',
  int64: 'LongStorage', int32: 'IntStorage', int16: 'ShortStorage', int8: 'CharStorage', uint8: 'ByteStorage', bool: 'BoolStorage',
};

export class Pickler {
  private chunks: Buffer[] = [];
  /** Tensors in storage-key order: key i is `tensors[i]`. */
  readonly tensors: TorchTensor[] = [];

  private byte(...b: number[]): void {
    this.chunks.push(Buffer.from(b));
  }
  private raw(buf: Buffer): void {
    this.chunks.push(buf);
  }

  private global(module: string, name: string): void {
    this.raw(Buffer.from(`c${module}\n${name}\n`, 'latin1'));
  }

  private int(v: number | bigint): void {
    if (typeof v === 'number' && v >= 0 && v < 256) this.byte(0x4b, v);
    else if (typeof v === 'number' && v >= 0 && v < 65536) { this.byte(0x4d, v & 0xff, v >> 8); }
    else if (typeof v === 'number' && v >= -(2 ** 31) && v < 2 ** 31) {
      const b = Buffer.alloc(5);
      b[0] = 0x4a;
      b.writeInt32LE(v, 1);
      this.raw(b);
    } else {
      // LONG1: little-endian two's complement, minimal length.
      let x = BigInt(v);
      const bytes: number[] = [];
      for (;;) {
        bytes.push(Number(x & 0xffn));
        x >>= 8n;
        const sign = bytes[bytes.length - 1] & 0x80;
        if ((x === 0n && !sign) || (x === -1n && sign)) break;
      }
      this.byte(0x8a, bytes.length, ...bytes);
    }
  }

  private float(v: number): void {
    const b = Buffer.alloc(9);
    b[0] = 0x47;
    b.writeDoubleBE(v, 1);
    this.raw(b);
  }

  private str(s: string): void {
    const body = Buffer.from(s, 'utf8');
    const head = Buffer.alloc(5);
    head[0] = 0x58;
    head.writeUInt32LE(body.length, 1);
    this.raw(head);
    this.raw(body);
  }

  private tuple(items: unknown[]): void {
    if (items.length === 0) { this.byte(0x29); return; }
    if (items.length <= 3) {
      for (const it of items) this.value(it);
      this.byte([0x85, 0x86, 0x87][items.length - 1]);
      return;
    }
    this.byte(0x28);
    for (const it of items) this.value(it);
    this.byte(0x74);
  }

  private setItems(entries: [unknown, unknown][]): void {
    if (entries.length === 0) return;
    this.byte(0x28);
    for (const [k, v] of entries) { this.value(k); this.value(v); }
    this.byte(0x75);
  }

  private tensor(t: TorchTensor): void {
    const key = String(this.tensors.length);
    this.tensors.push(t);
    const strides: number[] = [];
    let acc = 1;
    for (let d = t.shape.length - 1; d >= 0; d--) { strides.unshift(acc); acc *= t.shape[d]; }
    this.global('torch._utils', '_rebuild_tensor_v2');
    this.byte(0x28); // MARK of the args tuple
    // persistent id ('storage', torch.XStorage, key, 'cpu', numel) → BINPERSID
    this.byte(0x28);
    this.str('storage');
    this.global('torch', STORAGE_CLASS[t.dtype]);
    this.str(key);
    this.str('cpu');
    this.int(t.numel);
    this.byte(0x74, 0x51);
    this.int(0);
    this.tuple(t.shape);
    this.tuple(strides);
    this.byte(t.requiresGrad ? 0x88 : 0x89);
    this.global('collections', 'OrderedDict');
    this.byte(0x29, 0x52); // OrderedDict() backward hooks
    this.byte(0x74, 0x52);
  }

  /** Appends the pickle opcodes of `v`. */
  value(v: unknown): void {
    if (v === null || v === undefined) this.byte(0x4e);
    else if (v === true) this.byte(0x88);
    else if (v === false) this.byte(0x89);
    else if (typeof v === 'bigint') this.int(v);
    else if (typeof v === 'number') {
      if (Number.isSafeInteger(v)) this.int(v);
      else this.float(v);
    } else if (v instanceof PyFloat) this.float(v.value);
    else if (typeof v === 'string') this.str(v);
    else if (v instanceof TorchTensor) this.tensor(v);
    else if (v instanceof PyTuple) this.tuple(v.items);
    else if (Buffer.isBuffer(v) || v instanceof Uint8Array) {
      // protocol 2 has no bytes opcode: Python writes _codecs.encode(latin1_text, 'latin1').
      this.global('_codecs', 'encode');
      this.str(Buffer.from(v).toString('latin1'));
      this.str('latin1');
      this.byte(0x86, 0x52);
    } else if (Array.isArray(v)) {
      this.byte(0x5d);
      if (v.length > 0) {
        this.byte(0x28);
        for (const it of v) this.value(it);
        this.byte(0x65);
      }
    } else if (v instanceof Map) {
      this.global('collections', 'OrderedDict');
      this.byte(0x29, 0x52);
      this.setItems([...v.entries()]);
    } else if (v instanceof Set) {
      this.global('builtins', 'set');
      this.value([...v]);
      this.byte(0x85, 0x52);
    } else if (v instanceof PickleObject) {
      this.global(v.module, v.name);
      this.tuple(v.args);
      // Instances (argparse.Namespace) go through NEWOBJ + BUILD like copyreg.__newobj__; calls (torch.device) REDUCE.
      this.byte(v.state !== undefined ? 0x81 : 0x52);
      if (v.state !== undefined) { this.value(v.state); this.byte(0x62); }
    } else if (typeof v === 'object') {
      this.byte(0x7d);
      this.setItems(Object.entries(v as Record<string, unknown>));
    } else throw new TypeError(`cannot pickle a value of type ${typeof v}`);
  }

  /** The complete pickle (PROTO 2 … STOP) of `root`. */
  dump(root: unknown): Buffer {
    this.chunks = [];
    this.byte(0x80, 2);
    this.value(root);
    this.byte(0x2e);
    return Buffer.concat(this.chunks);
  }
}
