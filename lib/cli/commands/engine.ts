import fs from 'fs';
import { parseArgs } from 'util';
import { CliCommand } from '../command';
import { RsnaMammoError } from '../../errors';
import { ENGINE_FLAG_OPTIONS, parseBatch } from '../engineFlag';
import { buildEngine } from '../../runtime/tensorrt';

function parseShape(spec: string): [string, number[]] {
  const m = /^([^=]+)=(\d+(?:x\d+)*)$/.exec(spec);
  if (!m) throw new RsnaMammoError('ERR_INVALID_ARGUMENT', `Expected name=DxDxD for --shape but received "${spec}"`);
  return [m[1], m[2].split('x').map(Number)];
}

/** `rsna-mammo engine build <model.onnx>`: a TensorRT engine for this GPU and TensorRT version. */
export const command: CliCommand = {
  path: ['engine', 'build'],
  summary: 'build a TensorRT engine from an ONNX model (FP32 default, --fp16, --tf32, --batch N)',
  usage: [
    'Usage: rsna-mammo engine build <model.onnx> [--fp16] [--tf32] [--batch 2] [--out f.engine] [--shape name=1x3x416x416]',
    '',
    'Builds a TensorRT 10 engine with an optimization profile for batch 1..N (opt = max = N, as the',
    "original's ensemble engine, ALGORITHMS.md §4.5). FP32 by default with TF32 off; --tf32 allows TF32",
    "(the original's default on Ampere), --fp16 allows FP16 kernels (the original YOLOX engine, §4.6).",
    'Without --out the engine goes next to the model, named by GPU, compute capability, TensorRT version,',
    'precision and batch, with a .json sidecar; a stale engine is rebuilt, never misused. A timing cache',
    'next to it makes rebuilds faster. Needs an NVIDIA GPU, the CUDA addon and TensorRT 10 (see `rsna-mammo doctor`).',
    '  --shape name=DxD…   full shape of an input whose non-batch dims are dynamic',
    '  --workspace-mib N   builder workspace (default 4096, as the original)',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        fp16: ENGINE_FLAG_OPTIONS.fp16, tf32: ENGINE_FLAG_OPTIONS.tf32, batch: ENGINE_FLAG_OPTIONS.batch,
        out: { type: 'string' }, shape: { type: 'string', multiple: true }, 'workspace-mib': { type: 'string' },
      },
    });
    if (positionals.length !== 1) throw new RsnaMammoError('ERR_INVALID_ARGUMENT', 'engine build needs exactly one <model.onnx>');
    const onnx = positionals[0];
    if (!fs.existsSync(onnx)) throw new RsnaMammoError('ERR_FILE_NOT_FOUND', 'no such file', { file: onnx });
    const workspace = values['workspace-mib'] === undefined ? undefined : Number(values['workspace-mib']) * 2 ** 20;
    if (workspace !== undefined && !(workspace > 0)) throw new RsnaMammoError('ERR_INVALID_ARGUMENT', `Expected a positive number for --workspace-mib but received "${values['workspace-mib']}"`);
    const r = await buildEngine(onnx, {
      fp16: values.fp16, tf32: values.tf32, maxBatch: parseBatch(values.batch), out: values.out,
      fixedShapes: Object.fromEntries((values.shape ?? []).map(parseShape)), workspaceBytes: workspace,
    });
    io.stdout.write(`engine ${r.enginePath} (${(r.bytes / 2 ** 20).toFixed(1)} MiB, ${r.seconds.toFixed(1)} s)\n`);
    return 0;
  },
};
