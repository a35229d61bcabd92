import path from 'path';
import { parseArgs } from 'util';
import { CliCommand } from '../command';
import { invalidArgument } from '../../errors';
import { reproduceTiny, TINY_MISSING } from '../../reproduce/tiny';

/** `rsna-mammo reproduce --tiny`: the retraining chain scaled down to minutes on a CPU. */
export const command: CliCommand = {
  path: ['reproduce'],
  summary: 'Scaled-down retraining from data to submission.csv on a CPU (--tiny), with models it trains itself',
  usage: [
    'Usage: rsna-mammo reproduce --tiny --out DIR [--parallel 2]',
    '',
    'Synthetic raw DICOMs + ROI labels → prepare roi-dataset → train yolox (2 epochs) → select-yolox →',
    'prepare classification-dataset (stage 1 + 2, crops by that YOLOX or the Otsu fallback) → cv-split → `train run`',
    '(six ConvNeXt steps, tiny model, 2 epochs) → select-ckpts → submit --mode reproduce --roi yolox on the example',
    'DICOMs. Writes DIR/SETTINGS.json and the §12 tree under DIR: datasets/raw, datasets/processed, checkpoints/',
    '(yolox_roi_det, timm_classification/{experiment}/), assets/reproduce/ (yolox_nano_416_roi_torch.pth + .onnx,',
    'best_convnext_fold_{0..3}.pth.tar), submissions/submission.csv. Left out of the tiny chain:',
    ...TINY_MISSING.map((m) => `  - ${m}`),
  ].join('\n'),
  async run(args, io) {
    const { values } = parseArgs({ args, options: { tiny: { type: 'boolean', default: false }, out: { type: 'string' }, parallel: { type: 'string' } } });
    if (!values.tiny) throw invalidArgument('--tiny', 'present (only the scaled-down reproduction exists; the full one is `train run`)', undefined);
    if (!values.out) throw invalidArgument('--out', 'a folder', values.out);
    const parallel = values.parallel === undefined ? 2 : Number(values.parallel);
    if (!Number.isInteger(parallel) || parallel < 1 || parallel > 64) throw invalidArgument('--parallel', 'an integer in [1, 64]', values.parallel);
    const res = await reproduceTiny({ out: values.out, io, parallel });
    for (const [k, v] of Object.entries(res.seconds)) io.stdout.write(`${k}: ${v.toFixed(1)} s\n`);
    io.stdout.write(`submission: ${path.relative(process.cwd(), res.submission) || res.submission}\n`);
    return 0;
  },
};
