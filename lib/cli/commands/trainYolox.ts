import { parseArgs } from 'util';
import { CliCommand } from '../command';
import { invalidArgument } from '../../errors';
import { trainYolox } from '../../train/yoloxTrain';
import { numberArg } from '../numberArgs';

function opt(name: string, v: string | undefined): number | undefined {
  return v === undefined ? undefined : numberArg(name, v);
}

/** `rsna-mammo train yolox` (§10): the YOLOX-nano ROI detector with the native trainer. */
export const command: CliCommand = {
  path: ['train', 'yolox'],
  summary: 'train the YOLOX-nano ROI detector (native libtorch trainer, COCO AP per epoch, original checkpoints)',
  usage: [
    'Usage: rsna-mammo train yolox [--settings SETTINGS.json] [--resume] [--data DIR] [--out DIR] [--init CKPT.pth]',
    '         [--batch 64] [--max-epoch 400] [--warmup-epochs 50] [--no-aug-epochs 5] [--basic-lr-per-img 1.5625e-5]',
    '         [--input-size 416] [--seed 42] [--threads T] [--workers 4] [--device auto|cpu|cuda]',
    '',
    'ALGORITHMS.md §10: COCO data from `rsna-mammo prepare roi-dataset` ({PROCESSED_DATA_DIR}/roi_det_yolox/coco_format),',
    'fit to 416 INTER_LINEAR, pad 114, hflip 0.5, SGD Nesterov (wd 5e-4 on conv weights), yoloxwarmcos per iteration,',
    'EMA, L1 loss in the last no-aug epochs; each epoch the EMA model is evaluated on the val split (COCO AP, conf',
    '0.01, NMS 0.9). Writes latest_ckpt.pth, last_epoch_ckpt.pth, best_ckpt.pth, epoch_{n}_ckpt.pth to',
    '{MODEL_CHECKPOINT_DIR}/yolox_roi_det/yolox_nano_416_reproduce. --init defaults to',
    '{ASSETS_DIR}/public_pretrains/yolox_nano.pth when present (mismatching head tensors are skipped).',
    'Missing images and degenerate boxes are listed and left out; an unreadable image is skipped.',
  ].join('\n'),
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        settings: { type: 'string' }, resume: { type: 'boolean' }, data: { type: 'string' }, out: { type: 'string' },
        init: { type: 'string' }, batch: { type: 'string' }, 'max-epoch': { type: 'string' }, 'warmup-epochs': { type: 'string' },
        'no-aug-epochs': { type: 'string' }, 'basic-lr-per-img': { type: 'string' }, 'input-size': { type: 'string' },
        seed: { type: 'string' }, threads: { type: 'string' }, workers: { type: 'string' }, device: { type: 'string' },
      },
    });
    const device = values.device ?? 'auto';
    if (device !== 'auto' && device !== 'cpu' && device !== 'cuda') throw invalidArgument('--device', 'auto, cpu or cuda', device);
    const r = await trainYolox({
      settings: values.settings, resume: values.resume === true, dataDir: values.data, outDir: values.out, init: values.init,
      batch: opt('--batch', values.batch), maxEpoch: opt('--max-epoch', values['max-epoch']),
      warmupEpochs: opt('--warmup-epochs', values['warmup-epochs']), noAugEpochs: opt('--no-aug-epochs', values['no-aug-epochs']),
      basicLrPerImg: opt('--basic-lr-per-img', values['basic-lr-per-img']), inputSize: opt('--input-size', values['input-size']),
      seed: opt('--seed', values.seed), threads: opt('--threads', values.threads), workers: opt('--workers', values.workers), device,
      onLog: (l) => io.stderr.write(`${l}\n`),
      onEvent: (e) => {
        if (e.event === 'progress') io.stdout.write(`epoch ${e.epoch} iter ${e.iter}/${e.iters_per_epoch}: loss ${Number(e.total_loss).toFixed(4)} lr ${e.lr}\n`);
        if (e.event === 'evaluated') io.stdout.write(`epoch ${e.epoch}: AP50:95 ${e.ap50_95} AP50 ${e.ap50}${e.best ? ' (best)' : ''}\n`);
        if (e.event === 'skipped') io.stderr.write(`skipped ${e.path}: ${e.message}\n`);
      },
    });
    io.stdout.write(`best AP50:95 ${r.bestAp}; checkpoints in ${r.outDir}\n`);
    return 0;
  },
};
