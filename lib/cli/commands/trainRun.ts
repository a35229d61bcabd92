import { parseArgs } from 'util';
import { CliCommand } from '../command';
import { RsnaMammoError, invalidArgument } from '../../errors';
import { loadSettings } from '../../settings';
import { REPRODUCE_MODES, ReproduceMode } from '../../train/plan';
import { runTraining } from '../../train/runSteps';

/** argv prefix from an environment variable holding a JSON array of strings (custom/fake step trainers). */
function commandFromEnv(name: string): string[] | undefined {
  const v = process.env[name];
  if (!v) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(v);
  } catch {
    parsed = null;
  }
  if (!Array.isArray(parsed) || parsed.length === 0 || parsed.some((x) => typeof x !== 'string')) {
    throw new RsnaMammoError('ERR_INVALID_ARGUMENT', `${name} must be a JSON array of strings (argv), got ${v}`);
  }
  return parsed as string[];
}

/** `rsna-mammo train run`: the six ConvNeXt steps with dependencies, GPUs, live view and resume. */
export const command: CliCommand = {
  path: ['train', 'run'],
  summary: 'Train the six ConvNeXt steps (YOLOX first when missing), one per GPU, resumable (ALGORITHMS.md §9.3, §12)',
  usage: [
    'Usage: rsna-mammo train run [--mode fully_reproduce|reproduce] [--settings SETTINGS.json] [--gpus 0,1,2,3 | --parallel N]',
    '         [--steps 1,2,...] [--yolox auto|skip] [--plain] [-- OPTIONS FOR EVERY STEP]',
    '',
    'Runs `rsna-mammo train classifier --step k --resume` for the steps of `train plan`, each as soon as the',
    'steps it depends on are done (5 after 3, 6 after 4) and a slot is free: one step per GPU of --gpus (the',
    'child sees only that GPU: CUDA_VISIBLE_DEVICES), or --parallel CPU slots (default 1: sequential). When',
    '{MODEL_FINAL_SELECTION_DIR}/yolox_nano_416_roi_torch.pth is missing, `train yolox` runs first, then',
    '`select-yolox` (copies best_ckpt.pth there and converts it), both recorded in the state file.',
    'Outputs: {MODEL_CHECKPOINT_DIR}/timm_classification/{experiment}/ (+ train_run.log), and the state file',
    '{MODEL_CHECKPOINT_DIR}/train_run_{mode}.state.json (atomic): after a crash or kill, run the same command',
    'again: finished steps are not redone, the others resume from their last checkpoint.',
    'Options after `--` go to every step (e.g. -- --epochs 2 --batch-size 2). RSNA_MAMMO_TRAIN_STEP_COMMAND /',
    'RSNA_MAMMO_TRAIN_YOLOX_COMMAND / RSNA_MAMMO_SELECT_YOLOX_COMMAND (JSON argv arrays) replace the step / YOLOX',
    'trainers / the YOLOX selection.',
  ].join('\n'),
  async run(args, io) {
    const dd = args.indexOf('--');
    const own = dd >= 0 ? args.slice(0, dd) : args;
    const stepArgs = dd >= 0 ? args.slice(dd + 1) : [];
    const { values } = parseArgs({
      args: own,
      options: {
        mode: { type: 'string', default: 'fully_reproduce' },
        settings: { type: 'string' },
        gpus: { type: 'string' },
        parallel: { type: 'string' },
        steps: { type: 'string' },
        yolox: { type: 'string', default: 'auto' },
        plain: { type: 'boolean', default: false },
      },
    });
    const mode = values.mode as ReproduceMode;
    if (!REPRODUCE_MODES.includes(mode)) throw invalidArgument('--mode', REPRODUCE_MODES.join(' or '), values.mode);
    if (values.yolox !== 'auto' && values.yolox !== 'skip') throw invalidArgument('--yolox', 'auto or skip', values.yolox);
    const gpus = values.gpus?.split(',').map((g) => g.trim());
    if (gpus && gpus.some((g) => !/^\d+$/.test(g))) throw invalidArgument('--gpus', 'comma-separated GPU indices', values.gpus);
    if (gpus && new Set(gpus).size !== gpus.length) throw invalidArgument('--gpus', 'distinct GPU indices', values.gpus);
    const parallel = values.parallel === undefined ? 1 : Number(values.parallel);
    if (!Number.isInteger(parallel) || parallel < 1 || parallel > 64) throw invalidArgument('--parallel', 'an integer in [1, 64]', values.parallel);
    const steps = values.steps?.split(',').map(Number);
    if (steps && steps.some((s) => !Number.isInteger(s) || s < 1 || s > 6)) throw invalidArgument('--steps', 'step numbers 1..6', values.steps);
    const res = await runTraining({
      mode,
      settings: loadSettings(values.settings),
      settingsFile: values.settings,
      gpus,
      parallel,
      steps,
      stepArgs,
      stepCommand: commandFromEnv('RSNA_MAMMO_TRAIN_STEP_COMMAND'),
      yoloxCommand: commandFromEnv('RSNA_MAMMO_TRAIN_YOLOX_COMMAND'),
      selectYoloxCommand: commandFromEnv('RSNA_MAMMO_SELECT_YOLOX_COMMAND'),
      yolox: values.yolox as 'auto' | 'skip',
      out: io.stdout,
      live: values.plain ? false : undefined,
    });
    io.stdout.write(`all ${res.steps.length} steps done (state ${res.stateFile})\n`);
    return 0;
  },
};
