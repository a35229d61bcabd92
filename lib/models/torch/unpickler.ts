/**
 * A data-only unpickler for the protocol 0-5 opcodes that torch.save (protocol 2) and numpy emit.
 * Globals are never resolved to code: `callGlobal` builds the few types we know (OrderedDict, set,
 * bytes, plus whatever a subclass adds, e.g. torch tensors) and returns inert PickleObject
 * placeholders for everything else.
 */
import { PickleObject, PyGlobal } from './pickle_values';

export class UnpicklingError extends Error {}

/** Python's `dict.__setitem__` on our Map/PickleObject representations. */
function setItem(target: unknown, key: unknown, value: unknown): void {
  if (target instanceof Map) target.set(key, value);
  else if (target instanceof PickleObject) {
    if (!(target.state instanceof Map)) target.state = new Map();
    (target.state as Map<unknown, unknown>).set(key, value);
  } else throw new UnpicklingError(`SETITEM on a non-dict (${typeof target})`);
}

function readDecimalInt(text: string): number | bigint | boolean {
  const s = text.trim().replace(/L$/, '');
  if (s === '00') return false;
  if (s === '01') return true;
  const big = BigInt(s);
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

/** Decodes a little-endian two's-complement integer (LONG1/LONG4) as number or bigint. */
function decodeLong(bytes: Buffer): number | bigint {
  if (bytes.length === 0) return 0;
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]);
  if (bytes[bytes.length - 1] & 0x80) v -= 1n << BigInt(bytes.length * 8);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** How many values all memo references (GET) together may expand to: a few shared lists nested
 * 40 deep expand to 2^40 leaves for anything that walks them (a pickle bomb). */
export const MAX_MEMO_EXPANSION = 50_000_000;

export class Unpickler {
  private pos = 0;
  private stack: unknown[] = [];
  private metastack: unknown[][] = [];
  private memo = new Map<number, unknown>();
  private expanded = 0;
  private readonly sizes = new WeakMap<object, number>();

  constructor(protected readonly buf: Buffer) {}

  /** Called for BINPERSID/PERSID; torch uses it for tensor storages. */
  protected persistentLoad(pid: unknown): unknown {
    throw new UnpicklingError(`unexpected persistent id ${JSON.stringify(pid)}`);
  }

  /** Calls a global with arguments (REDUCE, NEWOBJ): builds known types, otherwise a placeholder. */
  protected callGlobal(fn: PyGlobal, args: unknown[]): unknown {
    // Protocols 0-2 name Python 3's builtins module `__builtin__` (Python 2 compatibility).
    switch (fn.qualifiedName.replace(/^__builtin__\./, 'builtins.')) {
      case 'collections.OrderedDict':
      case 'builtins.dict':
        return new Map((args[0] as [unknown, unknown][] | undefined) ?? []);
      case 'builtins.set':
      case 'builtins.frozenset':
        return new Set((args[0] as unknown[] | undefined) ?? []);
      case 'builtins.list':
      case 'builtins.tuple':
        return [...((args[0] as unknown[] | undefined) ?? [])];
      case 'builtins.bytes':
      case 'builtins.bytearray':
        return Buffer.from((args[0] as Uint8Array | number[] | undefined) ?? []);
      case '_codecs.encode': // protocol 2 pickles bytes as _codecs.encode(latin1_str, 'latin1')
        return Buffer.from(String(args[0]), (String(args[1] ?? 'utf8') === 'latin1' ? 'latin1' : 'utf8') as BufferEncoding);
      case 'copy_reg._reconstructor':
      case 'copyreg._reconstructor': {
        const cls = args[0];
        return cls instanceof PyGlobal ? new PickleObject(cls.module, cls.name, args.slice(1)) : new PickleObject('copyreg', '_reconstructor', args);
      }
      default:
        return new PickleObject(fn.module, fn.name, args);
    }
  }

  /** Applies BUILD state to an object. Placeholders keep it; other values ignore it. */
  protected build(obj: unknown, state: unknown): void {
    if (obj instanceof PickleObject) obj.state = state;
  }

  private u8(): number {
    if (this.pos >= this.buf.length) throw new UnpicklingError('pickle data is truncated');
    return this.buf[this.pos++];
  }
  private take(n: number): Buffer {
    if (n < 0 || this.pos + n > this.buf.length) throw new UnpicklingError('pickle data is truncated');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  private line(): string {
    const end = this.buf.indexOf(0x0a, this.pos);
    if (end < 0) throw new UnpicklingError('pickle data is truncated');
    const s = this.buf.toString('latin1', this.pos, end);
    this.pos = end + 1;
    return s;
  }
  private pop(): unknown {
    if (this.stack.length === 0) throw new UnpicklingError('pickle stack underflow');
    return this.stack.pop();
  }
  private popMark(): unknown[] {
    const items = this.stack;
    const prev = this.metastack.pop();
    if (!prev) throw new UnpicklingError('pickle MARK missing');
    this.stack = prev;
    return items;
  }
  private top(): unknown {
    if (this.stack.length === 0) throw new UnpicklingError('pickle stack underflow');
    return this.stack[this.stack.length - 1];
  }

  /** Runs the pickle program and returns the value it produces. */
  load(): unknown {
    const b = this.buf;
    for (;;) {
      const op = this.u8();
      switch (op) {
        case 0x80: this.u8(); break; // PROTO
        case 0x95: this.take(8); break; // FRAME
        case 0x2e: return this.pop(); // STOP
        case 0x28: this.metastack.push(this.stack); this.stack = []; break; // MARK
        case 0x30: this.pop(); break; // POP
        case 0x31: this.popMark(); break; // POP_MARK
        case 0x32: this.stack.push(this.top()); break; // DUP
        case 0x4e: this.stack.push(null); break; // NONE
        case 0x88: this.stack.push(true); break; // NEWTRUE
        case 0x89: this.stack.push(false); break; // NEWFALSE
        case 0x49: this.stack.push(readDecimalInt(this.line())); break; // INT
        case 0x4c: this.stack.push(readDecimalInt(this.line())); break; // LONG
        case 0x4a: this.stack.push(this.take(4).readInt32LE(0)); break; // BININT
        case 0x4b: this.stack.push(this.u8()); break; // BININT1
        case 0x4d: this.stack.push(this.take(2).readUInt16LE(0)); break; // BININT2
        case 0x8a: this.stack.push(decodeLong(this.take(this.u8()))); break; // LONG1
        case 0x8b: this.stack.push(decodeLong(this.take(this.take(4).readInt32LE(0)))); break; // LONG4
        case 0x46: this.stack.push(parseFloat(this.line())); break; // FLOAT
        case 0x47: this.stack.push(this.take(8).readDoubleBE(0)); break; // BINFLOAT
        case 0x53: { // STRING (repr-quoted)
          const s = this.line().trim();
          this.stack.push(s.slice(1, -1));
          break;
        }
        case 0x54: this.stack.push(this.take(this.take(4).readInt32LE(0)).toString('latin1')); break; // BINSTRING
        case 0x55: this.stack.push(this.take(this.u8()).toString('latin1')); break; // SHORT_BINSTRING
        case 0x56: this.stack.push(this.line()); break; // UNICODE (raw-unicode-escape; ASCII in practice)
        case 0x58: this.stack.push(this.take(this.take(4).readUInt32LE(0)).toString('utf8')); break; // BINUNICODE
        case 0x8c: this.stack.push(this.take(this.u8()).toString('utf8')); break; // SHORT_BINUNICODE
        case 0x8d: this.stack.push(this.take(Number(this.take(8).readBigUInt64LE(0))).toString('utf8')); break; // BINUNICODE8
        case 0x42: this.stack.push(Buffer.from(this.take(this.take(4).readUInt32LE(0)))); break; // BINBYTES
        case 0x43: this.stack.push(Buffer.from(this.take(this.u8()))); break; // SHORT_BINBYTES
        case 0x8e: // BINBYTES8
        case 0x96: this.stack.push(Buffer.from(this.take(Number(this.take(8).readBigUInt64LE(0))))); break; // BYTEARRAY8
        case 0x5d: this.stack.push([]); break; // EMPTY_LIST
        case 0x61: { // APPEND
          const v = this.pop();
          (this.top() as unknown[]).push(v);
          break;
        }
        case 0x65: { // APPENDS
          const items = this.popMark();
          const list = this.top();
          if (!Array.isArray(list)) throw new UnpicklingError('APPENDS on a non-list');
          list.push(...items);
          break;
        }
        case 0x6c: { const items = this.popMark(); this.stack.push(items); break; } // LIST
        case 0x29: this.stack.push([]); break; // EMPTY_TUPLE
        case 0x74: { const items = this.popMark(); this.stack.push(items); break; } // TUPLE
        case 0x85: this.stack.push([this.pop()]); break; // TUPLE1
        case 0x86: { const b2 = this.pop(); const a = this.pop(); this.stack.push([a, b2]); break; } // TUPLE2
        case 0x87: { const c = this.pop(); const b2 = this.pop(); const a = this.pop(); this.stack.push([a, b2, c]); break; } // TUPLE3
        case 0x7d: this.stack.push(new Map()); break; // EMPTY_DICT
        case 0x64: { // DICT
          const items = this.popMark();
          const m = new Map();
          for (let i = 0; i + 1 < items.length; i += 2) m.set(items[i], items[i + 1]);
          this.stack.push(m);
          break;
        }
        case 0x73: { const v = this.pop(); const k = this.pop(); setItem(this.top(), k, v); break; } // SETITEM
        case 0x75: { // SETITEMS
          const items = this.popMark();
          const d = this.top();
          for (let i = 0; i + 1 < items.length; i += 2) setItem(d, items[i], items[i + 1]);
          break;
        }
        case 0x8f: this.stack.push(new Set()); break; // EMPTY_SET
        case 0x90: { // ADDITEMS
          const items = this.popMark();
          const s = this.top() as Set<unknown>;
          for (const it of items) s.add(it);
          break;
        }
        case 0x91: { const items = this.popMark(); this.stack.push(new Set(items)); break; } // FROZENSET
        case 0x63: { // GLOBAL
          const module = this.line();
          const name = this.line();
          this.stack.push(new PyGlobal(module, name));
          break;
        }
        case 0x93: { // STACK_GLOBAL
          const name = String(this.pop());
          const module = String(this.pop());
          this.stack.push(new PyGlobal(module, name));
          break;
        }
        case 0x52: { // REDUCE
          const args = this.pop();
          const fn = this.pop();
          this.stack.push(this.call(fn, args));
          break;
        }
        case 0x81: { // NEWOBJ
          const args = this.pop();
          const cls = this.pop();
          this.stack.push(this.call(cls, args));
          break;
        }
        case 0x92: { // NEWOBJ_EX
          this.pop(); // kwargs
          const args = this.pop();
          const cls = this.pop();
          this.stack.push(this.call(cls, args));
          break;
        }
        case 0x6f: { // OBJ
          const items = this.popMark();
          this.stack.push(this.call(items[0], items.slice(1)));
          break;
        }
        case 0x69: { // INST
          const module = this.line();
          const name = this.line();
          const items = this.popMark();
          this.stack.push(this.call(new PyGlobal(module, name), items));
          break;
        }
        case 0x62: { const state = this.pop(); this.build(this.top(), state); break; } // BUILD
        case 0x70: this.memo.set(Number(this.line()), this.top()); break; // PUT
        case 0x71: this.memo.set(this.u8(), this.top()); break; // BINPUT
        case 0x72: this.memo.set(this.take(4).readUInt32LE(0), this.top()); break; // LONG_BINPUT
        case 0x94: this.memo.set(this.memo.size, this.top()); break; // MEMOIZE
        case 0x67: this.stack.push(this.memoGet(Number(this.line()))); break; // GET
        case 0x68: this.stack.push(this.memoGet(this.u8())); break; // BINGET
        case 0x6a: this.stack.push(this.memoGet(this.take(4).readUInt32LE(0))); break; // LONG_BINGET
        case 0x50: this.stack.push(this.persistentLoad(this.line())); break; // PERSID
        case 0x51: this.stack.push(this.persistentLoad(this.pop())); break; // BINPERSID
        default:
          throw new UnpicklingError(`unsupported pickle opcode 0x${op.toString(16)} at byte ${this.pos - 1} of ${b.length}`);
      }
    }
  }

  private memoGet(i: number): unknown {
    if (!this.memo.has(i)) throw new UnpicklingError(`pickle memo entry ${i} is missing`);
    const value = this.memo.get(i);
    this.expanded += this.sizeOf(value);
    if (this.expanded > MAX_MEMO_EXPANSION) {
      throw new UnpicklingError(`memo references expand to more than ${MAX_MEMO_EXPANSION} values (a pickle bomb?)`);
    }
    return value;
  }

  /** Values reachable from `v` counted with repetition (shared parts once per path), capped just over the budget. */
  private sizeOf(v: unknown): number {
    if (v === null || typeof v !== 'object') return 1;
    const known = this.sizes.get(v);
    if (known !== undefined) return known;
    this.sizes.set(v, 1); // cycles count once
    let n = 1;
    const add = (x: unknown): void => {
      if (n <= MAX_MEMO_EXPANSION) n += this.sizeOf(x);
    };
    if (Array.isArray(v)) v.forEach(add);
    else if (v instanceof Map) v.forEach((val, key) => { add(key); add(val); });
    else if (v instanceof Set) v.forEach(add);
    else if (v instanceof PickleObject) { add(v.args); add(v.state); }
    n = Math.min(n, MAX_MEMO_EXPANSION + 1);
    this.sizes.set(v, n);
    return n;
  }

  private call(fn: unknown, args: unknown): unknown {
    const list = Array.isArray(args) ? args : [args];
    if (fn instanceof PyGlobal) return this.callGlobal(fn, list);
    throw new UnpicklingError(`pickle calls a non-global (${typeof fn})`);
  }
}
