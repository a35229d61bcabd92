/**
 * A small ONNX graph builder over our own ONNX protobuf writer (./protobuf): nodes named after the module
 * path they come from (so a node points at one line of the architecture file), initializers as raw
 * little-endian data, symbolic or fixed dims.
 */
import { Attribute, AttributeType, DataType, encodeModel, Node, Tensor, ValueInfo } from './protobuf';

export type Dim = number | string;

/** A float attribute (plain numbers are INT attributes). */
export class FloatAttr {
  constructor(readonly value: number) {}
}
export const float = (v: number): FloatAttr => new FloatAttr(v);
export type AttrValue = number | number[] | string | FloatAttr;

/** The opset every builder targets: 17 has LayerNormalization; TensorRT 8.6+/10 and ORT parse it. */
export const OPSET = 17;
/** IR version 8 matches the ONNX 1.10 fields the writer knows; ORT accepts opset 17 with it. */
const IR_VERSION = 8;

function valueInfo(name: string, dims: Dim[] | undefined, elemType: number): ValueInfo {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: dims ? { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } : undefined,
      },
    },
  };
}

function attribute(name: string, v: AttrValue): Attribute {
  const T = AttributeType;
  if (v instanceof FloatAttr) return { name, type: T.FLOAT, f: v.value };
  if (typeof v === 'string') return { name, type: T.STRING, s: Buffer.from(v, 'utf8') };
  if (Array.isArray(v)) return { name, type: T.INTS, ints: v };
  return { name, type: T.INT, i: v };
}

export class OnnxGraph {
  private nodes: Node[] = [];
  private initializers: Tensor[] = [];
  private inputs: ValueInfo[] = [];
  private outputs: ValueInfo[] = [];
  private names = new Set<string>();
  private constCount = 0;

  constructor(readonly name: string) {}

  private unique(base: string): string {
    let name = base;
    for (let i = 1; this.names.has(name); i++) name = `${base}_${i}`;
    this.names.add(name);
    return name;
  }

  /** Declares a float32 graph input. */
  input(name: string, dims: Dim[]): string {
    this.names.add(name);
    this.inputs.push(valueInfo(name, dims, DataType.FLOAT));
    return name;
  }

  /** Declares `value` as a float32 graph output (renamed to `name` through Identity when needed). */
  output(value: string, name: string = value, dims?: Dim[]): string {
    const out = value === name ? value : this.op('Identity', [value], {}, name);
    this.outputs.push(valueInfo(out, dims, DataType.FLOAT));
    return out;
  }

  /** Adds a float32 initializer. */
  initializer(name: string, dims: number[], data: Float32Array): string {
    const n = this.unique(name);
    this.initializers.push({
      name: n, dims, dataType: DataType.FLOAT, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    });
    return n;
  }

  /** An int64 constant initializer (shapes, axes). */
  int64(values: number[], name = `const_i64_${this.constCount++}`): string {
    const data = BigInt64Array.from(values.map((v) => BigInt(v)));
    const n = this.unique(name);
    this.initializers.push({ name: n, dims: [values.length], dataType: DataType.INT64, rawData: new Uint8Array(data.buffer) });
    return n;
  }

  /** A float32 constant initializer. */
  constant(values: number[], dims: number[] = [values.length], name = `const_f32_${this.constCount++}`): string {
    return this.initializer(name, dims, Float32Array.from(values));
  }

  /** Adds one node; returns its (unique) output name. */
  op(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, name = opType): string {
    return this.opN(opType, inputs, 1, attrs, name)[0];
  }

  /** Adds one node with `nOutputs` outputs. */
  opN(opType: string, inputs: string[], nOutputs: number, attrs: Record<string, AttrValue> = {}, name = opType): string[] {
    const nodeName = this.unique(name);
    const outputs = nOutputs === 1 ? [nodeName] : Array.from({ length: nOutputs }, (_, i) => this.unique(`${nodeName}:${i}`));
    this.nodes.push({
      name: nodeName, opType, input: inputs, output: outputs,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return outputs;
  }

  /** Serialises the model. */
  encode(docString = ''): Uint8Array {
    return encodeModel({
      irVersion: IR_VERSION,
      producerName: 'rsna-mammo',
      docString,
      opsetImport: [{ domain: '', version: OPSET }],
      graph: {
        name: this.name, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs,
      },
    });
  }
}
