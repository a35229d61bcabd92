/** The `--mode fully_reproduce|reproduce --settings --json` options shared by the training commands. */
import { invalidArgument } from '../errors';
import { REPRODUCE_MODES, ReproduceMode } from '../train/plan';

export const MODE_SETTINGS_JSON_OPTIONS = {
  mode: { type: 'string', default: 'fully_reproduce' },
  settings: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

/** Validates `--mode`. */
export function reproduceMode(value: string | undefined): ReproduceMode {
  if (!REPRODUCE_MODES.includes(value as ReproduceMode)) throw invalidArgument('--mode', REPRODUCE_MODES.join(' or '), value);
  return value as ReproduceMode;
}
