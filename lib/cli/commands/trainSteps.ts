import { parseArgs } from 'util';
import { CliCommand } from '../command';
import { invalidArgument } from '../../errors';
import { runClassifierSteps } from '../../train/classifierSteps';
import { DIST_CLI_OPTIONS, DIST_CLI_USAGE, distFromCli } from '../../train/distLaunch';
import { numberArg as num, numberListArg as numberList } from '../numberArgs';


/** `rsna-mammo train steps classifier`: step-exact ConvNeXt training steps on one batch (native trainer). */
export const command: CliCommand = {
  path: ['train', 'steps', 'classifier'],
  summary: 'K ConvNeXt training steps on one fixed batch with the native trainer (step-exact checks)',
  usage: [
    'Usage: rsna-mammo train steps classifier --init CKPT --input U8.bin --shape N,3,H,W --targets 0,1,...',
    '         --smoothing S --lr LR --steps K --out DIR [--ema-decay D[,D2]] [--weight-decay 2e-5] [--momentum 0.9]',
    '         [--drop P --drop-path Q] [--seed N | --masks FILE] [--threads T] [--epoch E]',
    '',
    'Loop order as the original (ALGORITHMS.md §9): forward, BCE with positive-only smoothing, zero_grad,',
    'backward, SGD Nesterov step (no weight decay on 1-D params/biases), EMA update. The model size comes',
    'from the checkpoint (state_dict_ema when present). Writes DIR/losses.json, params_after_step{k}.bin,',
    'grads_step1.bin, momentum.bin, ema.bin (+ ema_{i}.bin per decay), param_layout.txt and the timm',
    'checkpoint DIR/checkpoint.pth.tar. --masks: recorded keep masks in call order (float32 file or JSON).',
    '         [--nproc N] [--nnodes M --node-rank R --master-addr HOST --master-port PORT]',
    DIST_CLI_USAGE,
  ].join('\n'),
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        init: { type: 'string' }, input: { type: 'string' }, shape: { type: 'string' }, targets: { type: 'string' },
        smoothing: { type: 'string' }, lr: { type: 'string' }, steps: { type: 'string' }, out: { type: 'string' },
        'ema-decay': { type: 'string' }, 'weight-decay': { type: 'string' }, momentum: { type: 'string' },
        drop: { type: 'string' }, 'drop-path': { type: 'string' }, seed: { type: 'string' }, masks: { type: 'string' },
        threads: { type: 'string' }, epoch: { type: 'string' }, ...DIST_CLI_OPTIONS,
      },
    });
    for (const k of ['init', 'input', 'out'] as const) if (!values[k]) throw invalidArgument(`--${k}`, 'a path', values[k]);
    const steps = num('--steps', values.steps);
    if (!Number.isInteger(steps) || steps < 1) throw invalidArgument('--steps', 'an integer >= 1', values.steps);
    const res = await runClassifierSteps({
      init: values.init as string,
      input: values.input as string,
      shape: numberList('--shape', values.shape, true),
      targets: numberList('--targets', values.targets),
      smoothing: num('--smoothing', values.smoothing, 0),
      lr: num('--lr', values.lr),
      steps,
      emaDecays: values['ema-decay'] ? numberList('--ema-decay', values['ema-decay']) : undefined,
      weightDecay: num('--weight-decay', values['weight-decay'], 2e-5),
      momentum: num('--momentum', values.momentum, 0.9),
      drop: num('--drop', values.drop, 0),
      dropPath: num('--drop-path', values['drop-path'], 0),
      seed: values.seed === undefined ? undefined : num('--seed', values.seed),
      masks: values.masks,
      threads: values.threads === undefined ? undefined : num('--threads', values.threads),
      epoch: values.epoch === undefined ? undefined : num('--epoch', values.epoch),
      out: values.out as string,
      dist: distFromCli(values),
      onEvent: (e) => {
        if (e.event === 'step') io.stdout.write(`step ${e.step}: loss ${e.loss}\n`);
      },
    });
    if (res.checkpoint) io.stdout.write(`wrote ${res.outDir}/losses.json and ${res.checkpoint}\n`);
    else io.stdout.write('done (outputs are written on node 0)\n');
    return 0;
  },
};
