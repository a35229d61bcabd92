/**
 * Reads the graph inputs (name, element type, dims) of an ONNX model without loading it: a
 * streaming protobuf walk that skips everything else (weights of a 4-fold ensemble are ~800 MB).
 * Used to derive the TensorRT optimization profile (profileShapes.ts).
 * Field numbers from onnx.proto3: ModelProto.graph = 7; GraphProto.input = 11, initializer = 5;
 * TensorProto.name = 8; ValueInfoProto.name = 1, type = 2; TypeProto.tensor_type = 1;
 * Tensor.elem_type = 1, shape = 2; TensorShapeProto.dim = 1; Dimension.dim_value = 1, dim_param = 2.
 */
import fs from 'fs';
import { RsnaMammoError } from '../errors';

/** One graph input; a dim is a number, or a string (symbolic, e.g. "batch") or null when unknown. */
export interface OnnxInput {
  name: string;
  elemType: number;
  dims: (number | string | null)[];
}

/** Random-access byte source: a file (read lazily) or an in-memory buffer (tests). */
interface Source {
  size: number;
  read(offset: number, length: number): Buffer;
}

function fileSource(fd: number): Source {
  return {
    size: fs.fstatSync(fd).size,
    read(offset, length) {
      const buf = Buffer.alloc(length);
      const n = fs.readSync(fd, buf, 0, length, offset);
      return buf.subarray(0, n);
    },
  };
}

interface Field {
  number: number;
  wireType: number;
  /** Varint value (wire type 0). */
  value: number;
  /** Start and end of the payload (wire type 2). */
  start: number;
  end: number;
}

/** Walks the fields of the message in [start, end) of `src`. */
function* fields(src: Source, start: number, end: number): Generator<Field> {
  let pos = start;
  const varint = (): number => {
    let result = 0;
    let scale = 1;
    for (;;) {
      const b = src.read(pos++, 1)[0];
      if (b === undefined) throw new Error('truncated varint');
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 128;
    }
  };
  while (pos < end) {
    const key = varint();
    const f: Field = { number: Math.floor(key / 8), wireType: key % 8, value: 0, start: 0, end: 0 };
    if (f.wireType === 0) f.value = varint();
    else if (f.wireType === 1) pos += 8;
    else if (f.wireType === 5) pos += 4;
    else if (f.wireType === 2) {
      const len = varint();
      f.start = pos;
      f.end = pos + len;
      if (f.end > end) throw new Error('truncated length-delimited field');
      pos = f.end;
    } else throw new Error(`unsupported wire type ${f.wireType}`);
    yield f;
  }
}

function text(src: Source, f: Field): string {
  return src.read(f.start, f.end - f.start).toString('utf8');
}

function sub(src: Source, f: Field, number: number): Field | undefined {
  for (const g of fields(src, f.start, f.end)) if (g.number === number && g.wireType === 2) return g;
  return undefined;
}

function readValueInfo(src: Source, info: Field): OnnxInput {
  const input: OnnxInput = { name: '', elemType: 0, dims: [] };
  for (const f of fields(src, info.start, info.end)) {
    if (f.number === 1 && f.wireType === 2) input.name = text(src, f);
    if (f.number !== 2 || f.wireType !== 2) continue;
    const tensorType = sub(src, f, 1);
    if (!tensorType) continue;
    for (const g of fields(src, tensorType.start, tensorType.end)) {
      if (g.number === 1 && g.wireType === 0) input.elemType = g.value;
      if (g.number !== 2 || g.wireType !== 2) continue;
      for (const dim of fields(src, g.start, g.end)) {
        if (dim.number !== 1 || dim.wireType !== 2) continue;
        let value: number | string | null = null;
        for (const d of fields(src, dim.start, dim.end)) {
          if (d.number === 1 && d.wireType === 0) value = d.value;
          if (d.number === 2 && d.wireType === 2) value = text(src, d);
        }
        input.dims.push(value);
      }
    }
  }
  return input;
}

/** Parses the inputs from an in-memory ONNX model (tests, small models). */
export function onnxInputsFromBuffer(buf: Buffer): OnnxInput[] {
  return parse({ size: buf.length, read: (o, l) => buf.subarray(o, o + l) });
}

function parse(src: Source): OnnxInput[] {
  const inputs: OnnxInput[] = [];
  const initializers = new Set<string>();
  for (const top of fields(src, 0, src.size)) {
    if (top.number !== 7 || top.wireType !== 2) continue;
    for (const g of fields(src, top.start, top.end)) {
      if (g.number === 11 && g.wireType === 2) inputs.push(readValueInfo(src, g));
      if (g.number === 5 && g.wireType === 2) {
        const name = sub(src, g, 8);
        if (name) initializers.add(text(src, name));
      }
    }
  }
  // Older exporters list initializers as inputs too; those are weights, not feeds.
  return inputs.filter((i) => !initializers.has(i.name));
}

/** Reads the graph inputs of the ONNX file at `file`; throws ERR_ONNX_READ naming the file. */
export function readOnnxInputs(file: string): OnnxInput[] {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const inputs = parse(fileSource(fd));
    if (inputs.length === 0) throw new Error('no graph inputs found (not an ONNX model?)');
    return inputs;
  } catch (err) {
    throw new RsnaMammoError('ERR_ONNX_READ', `cannot read the ONNX inputs: ${(err as Error).message}`, { file, cause: err });
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
