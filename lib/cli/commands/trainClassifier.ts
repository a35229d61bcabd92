import { parseArgs } from 'util';
import { CliCommand } from '../command';
import { forwardTrainEvent } from '../../train/eventChannel';
import { invalidArgument } from '../../errors';
import { loadSettings } from '../../settings';
import { createProgress } from '../../run/progress';
import { trainClassifier } from '../../train/classifierTrain';
import { DIST_CLI_OPTIONS, DIST_CLI_USAGE, distFromCli } from '../../train/distLaunch';
import { ReproduceMode, REPRODUCE_MODES } from '../../train/plan';

function int(name: string, v: string | undefined, min = 0): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (!Number.isInteger(x) || x < min) throw invalidArgument(name, `an integer >= ${min}`, v);
  return x;
}

function ints(name: string, v: string | undefined): number[] | undefined {
  if (v === undefined) return undefined;
  const out = v.split(',').map(Number);
  if (out.some((x) => !Number.isInteger(x) || x < 1)) throw invalidArgument(name, 'comma-separated positive integers', v);
  return out;
}

/** `rsna-mammo train classifier`: one ConvNeXt step of the training plan with the native trainer. */
export const command: CliCommand = {
  path: ['train', 'classifier'],
  summary: 'train one ConvNeXt step of the plan (native libtorch trainer; pred CSVs, summary.csv, checkpoints)',
  usage: [
    'Usage: rsna-mammo train classifier --step N [--fold K] [--settings SETTINGS.json] [--mode fully_reproduce|reproduce]',
    '         [--init CKPT] [--epochs E] [--device cpu|cuda] [--resume] [--out DIR]',
    '         [--depths 3,3,27,3 --dims 96,192,384,768] [--image-size 2048,1024] [--batch-size 8] [--val-batch-size 16]',
    '         [--max-iters N] [--threads T] [--loader-threads T] [--no-external] [--seed 42]',
    '         [--nproc N] [--nnodes M --node-rank R --master-addr HOST --master-port PORT]',
    '',
    'Step N of `rsna-mammo train plan` (ALGORITHMS.md §9.3): its fold, lr schedule, smoothing and dense epochs.',
    'Data (§9.4): cv-split train/val_fold_K.csv + external cleaned_label.csv under PROCESSED_DATA_DIR.',
    'Writes into the experiment folder (default {MODEL_CHECKPOINT_DIR}/timm_classification/<experiment>):',
    'results/pred_{e}.csv, summary.csv, checkpoint-{e}.pth.tar, last.pth.tar, model_best.pth.tar (gbmean_best_pfbeta),',
    'train.log. --resume continues a killed run after its last finished epoch. --epochs/--max-iters/--image-size/',
    '--depths/--dims shrink the run for tests; the defaults are the original recipe (§9.2). CUDA: fp16 autocast + loss scaling.',
    '',
    DIST_CLI_USAGE,
    '--batch-size stays the global batch (rank r takes rows r, r+N, ... of each); ranks on CUDA use GPU LOCAL_RANK.',
  ].join('\n'),
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        step: { type: 'string' }, fold: { type: 'string' }, settings: { type: 'string' }, mode: { type: 'string' },
        init: { type: 'string' }, epochs: { type: 'string' }, device: { type: 'string' }, resume: { type: 'boolean' },
        out: { type: 'string' }, depths: { type: 'string' }, dims: { type: 'string' }, 'image-size': { type: 'string' },
        'batch-size': { type: 'string' }, 'val-batch-size': { type: 'string' }, 'max-iters': { type: 'string' },
        threads: { type: 'string' }, 'loader-threads': { type: 'string' }, 'no-external': { type: 'boolean' }, seed: { type: 'string' },
        ...DIST_CLI_OPTIONS,
      },
    });
    const step = int('--step', values.step, 1);
    if (step === undefined) throw invalidArgument('--step', 'a plan step 1..6', values.step);
    const mode = (values.mode ?? 'fully_reproduce') as ReproduceMode;
    if (!REPRODUCE_MODES.includes(mode)) throw invalidArgument('--mode', REPRODUCE_MODES.join(' or '), values.mode);
    const device = values.device ?? 'cpu';
    if (device !== 'cpu' && device !== 'cuda') throw invalidArgument('--device', 'cpu or cuda', values.device);
    const size = ints('--image-size', values['image-size']);
    if (size && size.length !== 2) throw invalidArgument('--image-size', 'H,W', values['image-size']);
    const progress = createProgress({ stream: io.stderr as NodeJS.WritableStream & { isTTY?: boolean }, label: 'epoch' });
    let current = -1;
    const res = await trainClassifier({
      step,
      mode,
      settings: loadSettings(values.settings),
      fold: int('--fold', values.fold),
      init: values.init,
      epochs: int('--epochs', values.epochs, 1),
      device,
      resume: values.resume,
      out: values.out,
      depths: ints('--depths', values.depths),
      dims: ints('--dims', values.dims),
      imageSize: size as [number, number] | undefined,
      batchSize: int('--batch-size', values['batch-size'], 1),
      valBatchSize: int('--val-batch-size', values['val-batch-size'], 1),
      maxItersPerEpoch: int('--max-iters', values['max-iters'], 1),
      threads: int('--threads', values.threads, 1),
      loaderThreads: int('--loader-threads', values['loader-threads'], 1),
      external: !values['no-external'],
      seed: int('--seed', values.seed),
      dist: distFromCli(values),
      onLog: (text) => {
        if (text.startsWith('warning')) io.stderr.write(text);
      },
      onEvent: (e) => {
        forwardTrainEvent(e); // to `train run`'s live view when it started this step
        if (e.event === 'progress') {
          const counts = { done: Number(e.iter), failed: 0, total: Number(e.iters) };
          if (Number(e.epoch) !== current) current = Number(e.epoch);
          if (e.iter === e.iters) progress.finish(counts);
          else progress.update(counts);
        } else if (e.event === 'validated') {
          io.stderr.write(`validated ${e.label}\n`);
        } else if (e.event === 'skipped') {
          io.stderr.write(`skipped (${e.phase}): ${e.reason}\n`);
        } else if (e.event === 'warning') {
          io.stderr.write(`warning: ${e.message}\n`);
        }
      },
    });
    io.stdout.write(`${res.outDir}: ${res.labels.length} validations (${res.labels.join(', ')})` +
      `${res.best ? `; best gbmean_best_pfbeta ${res.best.metric} at ${res.best.label}` : ''}\n`);
    return 0;
  },
};
