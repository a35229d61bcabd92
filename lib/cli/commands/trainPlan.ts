import { parseArgs } from 'util';
import { CliCommand } from '../command';
import { MODE_SETTINGS_JSON_OPTIONS, reproduceMode } from '../reproduceMode';
import { loadSettings } from '../../settings';
import { COMMON_HYPERPARAMETERS, trainingPlan } from '../../train/plan';

/** `rsna-mammo train plan`: the six ConvNeXt training steps with their lr tables (ALGORITHMS.md §9). */
export const command: CliCommand = {
  path: ['train', 'plan'],
  summary: 'The six ConvNeXt training steps: folds, init, dependencies, per-epoch lr (ALGORITHMS.md §9.3, §9.8)',
  usage: [
    'Usage: rsna-mammo train plan [--mode fully_reproduce|reproduce] [--settings SETTINGS.json] [--json]',
    '',
    'Prints the steps of make_train_bash_script.py: experiment folder {MODEL_CHECKPOINT_DIR}/timm_classification/NAME,',
    'validation fold, initial weights (ImageNet or the EMA weights of a stage-1 checkpoint-24), the steps it',
    'depends on, lr of every epoch (timm CosineLRScheduler per epoch), the epochs with a dense checkpoint and the',
    'label tables (RSNA train_fold_k + all external datasets; val_fold_k).',
  ].join('\n'),
  async run(args, io) {
    const { values } = parseArgs({ args, options: MODE_SETTINGS_JSON_OPTIONS });
    const mode = reproduceMode(values.mode);
    const steps = trainingPlan(mode, loadSettings(values.settings));
    if (values.json) {
      io.stdout.write(`${JSON.stringify({ mode, common: COMMON_HYPERPARAMETERS, steps })}\n`);
      return 0;
    }
    for (const s of steps) {
      const init = s.init.kind === 'imagenet' ? `ImageNet ${s.init.model}` : `EMA of step ${s.init.step} ${s.init.checkpoint}`;
      io.stdout.write(`step ${s.step}  fold ${s.fold}  ${s.experiment}\n`);
      io.stdout.write(`  out ${s.outputDir}\n  init ${init}${s.depends_on.length ? `  (after step ${s.depends_on.join(', ')})` : ''}\n`);
      io.stdout.write(`  lr ${s.base_lr} warmup ${s.warmup_lr} x${s.warmup_epochs} min ${s.min_lr}, ${s.lr.length} epochs, positive target ${s.positive_target}\n`);
      io.stdout.write(`  dense checkpoints: ${s.dense_epochs.length ? s.dense_epochs.join(' ') : 'none'}\n`);
      io.stdout.write(`  train ${s.data.train.map((d) => d.labels).join(' + ')}\n  val ${s.data.val.labels}\n`);
    }
    return 0;
  },
};
