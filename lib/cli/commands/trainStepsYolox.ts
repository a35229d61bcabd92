import { parseArgs } from 'util';
import { CliCommand } from '../command';
import { invalidArgument } from '../../errors';
import { runYoloxSteps } from '../../train/yoloxSteps';
import { numberArg as num, numberListArg } from '../numberArgs';

/** `rsna-mammo train steps yolox`: step-exact YOLOX training steps on one batch (native trainer). */
export const command: CliCommand = {
  path: ['train', 'steps', 'yolox'],
  summary: 'K YOLOX-nano training steps on one fixed batch with the native trainer (loss/SimOTA/step checks)',
  usage: [
    'Usage: rsna-mammo train steps yolox --init CKPT.pth --images U8.bin --shape N,3,H,W --targets F32.bin',
    '         --lr LR --steps K --out DIR [--use-l1] [--weight-decay 5e-4] [--momentum 0.9] [--threads T]',
    '',
    'As yolox/core/trainer.py train_one_iter (ALGORITHMS.md §10.4): forward with targets (IoU ×5 + BCE obj/cls',
    '+ L1 when --use-l1, SimOTA), zero_grad, backward, SGD Nesterov (BN weights / decayed weights / biases),',
    'EMA. --images: uint8 model input; --targets: float32 [N,max_labels,5] = cls,cx,cy,w,h pixels, zero rows',
    'padding. Writes DIR/losses.json (step 1), state_after_step{K}.bin + state_layout.txt (every floating',
    'state_dict entry, float32 LE), grads_step1.bin, simota.json, simota_img{i}_{cost,ious}.bin,',
    'train_outputs_step1.bin.',
  ].join('\n'),
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        init: { type: 'string' }, images: { type: 'string' }, shape: { type: 'string' }, targets: { type: 'string' },
        lr: { type: 'string' }, steps: { type: 'string' }, out: { type: 'string' }, 'use-l1': { type: 'boolean' },
        'weight-decay': { type: 'string' }, momentum: { type: 'string' }, threads: { type: 'string' },
      },
    });
    for (const k of ['init', 'images', 'targets', 'out'] as const) if (!values[k]) throw invalidArgument(`--${k}`, 'a path', values[k]);
    const shape = numberListArg('--shape', values.shape, true);
    const steps = num('--steps', values.steps, 1);
    const res = await runYoloxSteps({
      init: values.init as string,
      images: values.images as string,
      shape,
      targets: values.targets as string,
      lr: num('--lr', values.lr),
      steps,
      useL1: values['use-l1'] === true,
      weightDecay: num('--weight-decay', values['weight-decay'], 5e-4),
      momentum: num('--momentum', values.momentum, 0.9),
      threads: values.threads === undefined ? undefined : num('--threads', values.threads),
      out: values.out as string,
      onEvent: (e) => {
        if (e.event === 'progress') io.stdout.write(`step ${e.step}: total_loss ${e.total_loss}\n`);
      },
    });
    io.stdout.write(`${JSON.stringify(res.losses)}\nwrote ${res.stateFile}\n`);
    return 0;
  },
};
