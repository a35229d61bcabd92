/**
 * `rsna-mammo infer <model.onnx> --input <file.bin> --shape N,C,H,W --out <out.bin>`: runs a model on
 * raw float32 little-endian input and writes its first output the same way (for parity checks).
 */
import fs from 'fs';
import { parseArgs } from 'util';
import { CliCommand } from '../command';
import { RsnaMammoError, invalidArgument } from '../../errors';
import { createSession } from '../../runtime/registry';
import { BACKEND_CHOICES, parseBackendRequest } from '../../runtime/selectBackend';
import { parseLibtorchPrecision } from '../../runtime/libtorch_addon';

function readFloat32(file: string, expected: number): Float32Array {
  if (!fs.existsSync(file)) throw new RsnaMammoError('ERR_FILE_NOT_FOUND', 'input file does not exist', { file });
  const buf = fs.readFileSync(file);
  if (buf.length !== expected * 4) {
    throw new RsnaMammoError('ERR_INVALID_INPUT', `has ${buf.length} bytes but --shape needs ${expected} float32 values (${expected * 4} bytes)`, { file });
  }
  const out = new Float32Array(expected);
  new Uint8Array(out.buffer).set(buf);
  return out;
}

export const command: CliCommand = {
  path: ['infer'],
  summary: 'run a model on a raw float32 tensor file, write its first output',
  usage: [
    'Usage: rsna-mammo infer <model.onnx> --input <file.bin> --shape N,C,H,W --out <out.bin> [options]',
    '',
    '  Input and output are float32 little endian, row-major, no header. Prints the output shape.',
    '',
    'Options:',
    `  --backend ${BACKEND_CHOICES}   (default auto)`,
    '  --precision fp32|tf32|fp16|bf16      libtorch precision (default fp32; CPU: fp32 or bf16)',
    '  --device cpu|cuda|cuda:N             libtorch device (default: cuda:0 when usable, else cpu)',
    '  --threads <n>                         intra-op threads',
    '  --output <name>                       write this output instead of the first',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args, allowPositionals: true, options: {
        input: { type: 'string' }, shape: { type: 'string' }, out: { type: 'string' },
        backend: { type: 'string' }, threads: { type: 'string' }, output: { type: 'string' },
        precision: { type: 'string' }, device: { type: 'string' },
      },
    });
    if (positionals.length !== 1) throw invalidArgument('<model.onnx>', 'one model file', positionals.join(' '));
    if (!values.input) throw invalidArgument('--input', 'a float32 .bin file', values.input);
    if (!values.out) throw invalidArgument('--out', 'an output .bin path', values.out);
    const dims = (values.shape ?? '').split(',').map(Number);
    if (!values.shape || dims.some((d) => !Number.isInteger(d) || d <= 0)) throw invalidArgument('--shape', 'comma-separated positive integers like 1,3,416,416', values.shape);
    const backend = parseBackendRequest(values.backend);
    const precision = parseLibtorchPrecision(values.precision);
    const threads = values.threads === undefined ? undefined : Number(values.threads);
    if (threads !== undefined && !(Number.isInteger(threads) && threads > 0)) throw invalidArgument('--threads', 'a positive integer', values.threads);
    const data = readFloat32(values.input, dims.reduce((a, b) => a * b, 1));
    const session = await createSession(positionals[0], { backend, threads, precision, device: values.device });
    try {
      const name = values.output ?? session.outputNames[0];
      if (!session.outputNames.includes(name)) throw invalidArgument('--output', `one of ${session.outputNames.join(', ')}`, name);
      const outputs = await session.run({ [session.inputNames[0]]: { data, dims } });
      const out = outputs[name];
      await fs.promises.writeFile(values.out, Buffer.from(out.data.buffer, out.data.byteOffset, out.data.byteLength));
      io.stdout.write(`${values.out}: ${name} [${out.dims.join(',')}] float32\n`);
    } finally {
      await session.dispose();
    }
    return 0;
  },
};
