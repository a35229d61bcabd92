/**
 * A minimal protobuf writer for the part of onnx.proto that our graph builders use (ModelProto,
 * GraphProto, NodeProto, AttributeProto FLOAT/INT/STRING/INTS, TensorProto with raw_data,
 * ValueInfoProto with tensor types). It replaces the onnx-proto package, whose pinned protobufjs 6
 * brought an install script and ~22 MB. Field numbers and order follow onnx.proto (ONNX 1.10); repeated
 * int64 fields are packed. Messages are kept as lists of byte chunks so large initializers are
 * copied once, into the final buffer.
 */

/** TensorProto.DataType values used by the builders. */
export const DataType = { FLOAT: 1, INT64: 7 } as const;
/** AttributeProto.AttributeType values used by the builders. */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, INTS: 7 } as const;

export interface Dimension { dimValue?: number; dimParam?: string }
export interface ValueInfo {
  name: string;
  type: { tensorType: { elemType: number; shape?: { dim: Dimension[] } } };
}
export interface Attribute { name: string; type: number; f?: number; i?: number; s?: Uint8Array; ints?: number[] }
export interface Tensor { name: string; dims: number[]; dataType: number; rawData: Uint8Array }
export interface Node { name: string; opType: string; input: string[]; output: string[]; attribute: Attribute[] }
export interface Graph { name: string; node: Node[]; initializer: Tensor[]; input: ValueInfo[]; output: ValueInfo[] }
export interface Model {
  irVersion: number;
  producerName: string;
  docString?: string;
  graph: Graph;
  opsetImport: { domain: string; version: number }[];
}

/** An encoded message: byte chunks and their total length. */
class Message {
  readonly chunks: Uint8Array[] = [];
  length = 0;

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.length += bytes.length;
  }

  private tag(field: number, wireType: number): void {
    this.push(varint(BigInt((field << 3) | wireType)));
  }

  /** int32/int64/enum as a varint (negative values as 10-byte two's complement, as protobuf does). */
  int(field: number, value: number): this {
    this.tag(field, 0);
    this.push(varint(BigInt.asUintN(64, BigInt(value))));
    return this;
  }

  float(field: number, value: number): this {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.push(b);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, 2);
    this.push(varint(BigInt(value.length)));
    this.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, Buffer.from(value, 'utf8'));
  }

  /** A packed repeated int64 (written only when non-empty, as protobufjs does). */
  packedInts(field: number, values: number[]): this {
    if (values.length === 0) return this;
    const body = new Message();
    for (const v of values) body.push(varint(BigInt.asUintN(64, BigInt(v))));
    return this.message(field, body);
  }

  message(field: number, body: Message): this {
    this.tag(field, 2);
    this.push(varint(BigInt(body.length)));
    for (const c of body.chunks) this.push(c);
    return this;
  }

  toBytes(): Uint8Array {
    return Buffer.concat(this.chunks, this.length);
  }
}

function varint(value: bigint): Uint8Array {
  const out: number[] = [];
  let v = value;
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) byte |= 0x80;
    out.push(byte);
  } while (v !== 0n);
  return Uint8Array.from(out);
}

function valueInfo(v: ValueInfo): Message {
  const tensor = new Message().int(1, v.type.tensorType.elemType);
  const shape = v.type.tensorType.shape;
  if (shape) {
    const s = new Message();
    for (const d of shape.dim) {
      const dim = new Message();
      if (d.dimValue !== undefined) dim.int(1, d.dimValue);
      if (d.dimParam !== undefined) dim.string(2, d.dimParam);
      s.message(1, dim);
    }
    tensor.message(2, s);
  }
  return new Message().string(1, v.name).message(2, new Message().message(1, tensor));
}

function attribute(a: Attribute): Message {
  const m = new Message().string(1, a.name);
  if (a.f !== undefined) m.float(2, a.f);
  if (a.i !== undefined) m.int(3, a.i);
  if (a.s !== undefined) m.bytes(4, a.s);
  if (a.ints !== undefined) m.packedInts(8, a.ints);
  return m.int(20, a.type);
}

function tensor(t: Tensor): Message {
  return new Message().packedInts(1, t.dims).int(2, t.dataType).string(8, t.name).bytes(9, t.rawData);
}

function node(n: Node): Message {
  const m = new Message();
  for (const i of n.input) m.string(1, i);
  for (const o of n.output) m.string(2, o);
  m.string(3, n.name).string(4, n.opType);
  for (const a of n.attribute) m.message(5, attribute(a));
  return m;
}

function graph(g: Graph): Message {
  const m = new Message();
  for (const n of g.node) m.message(1, node(n));
  m.string(2, g.name);
  for (const t of g.initializer) m.message(5, tensor(t));
  for (const v of g.input) m.message(11, valueInfo(v));
  for (const v of g.output) m.message(12, valueInfo(v));
  return m;
}

/** Serialises a ModelProto. */
export function encodeModel(model: Model): Uint8Array {
  const m = new Message().int(1, model.irVersion).string(2, model.producerName);
  if (model.docString !== undefined) m.string(6, model.docString);
  m.message(7, graph(model.graph));
  for (const o of model.opsetImport) m.message(8, new Message().string(1, o.domain).int(2, o.version));
  return m.toBytes();
}
