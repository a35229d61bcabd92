/**
 * `rsna-mammo convert classifier <ckpt.pth.tar>... --out model.onnx` and
 * `rsna-mammo convert yolox <ckpt.pth> --out yolox.onnx [--depth 0.33 --width 0.25 --depthwise]`.
 */
import { parseArgs } from 'util';
import { CliCommand } from '../command';
import { invalidArgument } from '../../errors';
import { convertClassifier } from '../../models/convert_classifier';
import { convertYolox } from '../../models/convert_yolox';
import { ENGINE_FLAG_OPTIONS, engineFlagUsage, buildEnginesIfRequested } from '../engineFlag';

function positiveNumber(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw invalidArgument(`--${name}`, 'a positive number', v);
  return n;
}

const classifier: CliCommand = {
  path: ['convert', 'classifier'],
  summary: 'timm ConvNeXt checkpoint(s) → ONNX (one: logits; several: the k-fold ensemble)',
  usage: [
    'Usage: rsna-mammo convert classifier <ckpt.pth.tar>... --out model.onnx [options]',
    '',
    '  One checkpoint: a classifier, normalised input → logits [N, classes].',
    '  k > 1 checkpoints: the KFoldEnsembleModel, input 0..255 → per-fold probabilities [N, k]',
    '  (ImageNet mean/std and sigmoid inside, ALGORITHMS.md §4.4).',
    '  The architecture (depths, dims, head) is read from the checkpoint.',
    '',
    'Options:',
    '  --out <file>            the .onnx to write (required)',
    '  --no-ema                take `state_dict` instead of `state_dict_ema`',
    '  --global-pool max|avg   override the pool (default: the checkpoint\'s args.gp, else avg)',
    '  --debug-outputs         add intermediate feature maps as extra outputs',
    ...engineFlagUsage(2),
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args, allowPositionals: true, options: {
        out: { type: 'string' }, 'no-ema': { type: 'boolean' }, 'global-pool': { type: 'string' }, 'debug-outputs': { type: 'boolean' },
        ...ENGINE_FLAG_OPTIONS,
      },
    });
    if (!values.out) throw invalidArgument('--out', 'an output .onnx path', values.out);
    if (positionals.length === 0) throw invalidArgument('<ckpt.pth.tar>', 'at least one checkpoint', undefined);
    const pool = values['global-pool'];
    if (pool !== undefined && pool !== 'max' && pool !== 'avg') throw invalidArgument('--global-pool', "'max' or 'avg'", pool);
    const r = await convertClassifier(positionals, values.out, { ema: !values['no-ema'], globalPool: pool, debugOutputs: values['debug-outputs'] });
    const c = r.config;
    io.stdout.write(`${r.outFile}: ${r.folds === 1 ? 'ConvNeXt classifier' : `${r.folds}-fold ensemble`} (depths ${c.depths.join(',')}, dims ${c.dims.join(',')}, ${c.globalPool} pool, ${c.numClasses} classes)\n`);
    await buildEnginesIfRequested(values, [r.outFile], io, 2);
    return 0;
  },
};

const yolox: CliCommand = {
  path: ['convert', 'yolox'],
  summary: 'YOLOX checkpoint → ONNX (raw head output [N, anchors, 5+classes])',
  usage: [
    'Usage: rsna-mammo convert yolox <ckpt.pth> --out yolox.onnx [--depth 0.33 --width 0.25 --depthwise]',
    '',
    '  Reads ckpt["model"]; output `output` = [tx, ty, tw, th, sigmoid(obj), sigmoid(cls)] per anchor',
    '  (decode_in_inference False, ALGORITHMS.md §2.3). Unspecified options are read from the checkpoint.',
    '',
    'Options:',
    '  --out <file>          the .onnx to write (required)',
    '  --depth <x>           depth multiplier (RSNA nano 0.33)',
    '  --width <x>           width multiplier (RSNA nano 0.25)',
    '  --depthwise           depthwise convs (RSNA nano)',
    '  --num-classes <n>     classes (RSNA: 1)',
    '  --input-size <n>      square input side, multiple of 32 (default 416)',
    '  --debug-outputs       add fpn_out0..2 and CSPDarknet stage outputs',
    ...engineFlagUsage(1),
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args, allowPositionals: true, options: {
        out: { type: 'string' }, depth: { type: 'string' }, width: { type: 'string' }, depthwise: { type: 'boolean' },
        'num-classes': { type: 'string' }, 'input-size': { type: 'string' }, 'debug-outputs': { type: 'boolean' },
        ...ENGINE_FLAG_OPTIONS,
      },
    });
    if (!values.out) throw invalidArgument('--out', 'an output .onnx path', values.out);
    if (positionals.length !== 1) throw invalidArgument('<ckpt.pth>', 'exactly one checkpoint', positionals.join(' '));
    const r = await convertYolox(positionals[0], values.out, {
      depth: positiveNumber('depth', values.depth),
      width: positiveNumber('width', values.width),
      depthwise: values.depthwise ? true : undefined,
      numClasses: positiveNumber('num-classes', values['num-classes']),
      inputSize: positiveNumber('input-size', values['input-size']),
      debugOutputs: values['debug-outputs'],
    });
    const c = r.config;
    io.stdout.write(`${r.outFile}: YOLOX (depth ${+c.depth.toFixed(3)}, width ${c.width}, depthwise ${c.depthwise}, ${c.numClasses} classes)\n`);
    await buildEnginesIfRequested(values, [r.outFile], io, 1);
    return 0;
  },
};

export const commands: CliCommand[] = [classifier, yolox];
