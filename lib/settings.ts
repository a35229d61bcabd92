/**
 * SETTINGS.json (ALGORITHMS.md §12.1): the original's keys, paths relative to the settings file's folder.
 */
import fs from 'fs';
import path from 'path';
import { RsnaMammoError } from './errors';

export interface Settings {
  RAW_DATA_DIR: string;
  PROCESSED_DATA_DIR: string;
  MODEL_CHECKPOINT_DIR: string;
  MODEL_FINAL_SELECTION_DIR: string;
  SUBMISSION_DIR: string;
  ASSETS_DIR: string;
  TEMP_DIR: string;
}

export const SETTINGS_KEYS: readonly (keyof Settings)[] = [
  'RAW_DATA_DIR',
  'PROCESSED_DATA_DIR',
  'MODEL_CHECKPOINT_DIR',
  'MODEL_FINAL_SELECTION_DIR',
  'SUBMISSION_DIR',
  'ASSETS_DIR',
  'TEMP_DIR',
];

/** Defaults of the original SETTINGS.json (ALGORITHMS.md §12.1). */
export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  RAW_DATA_DIR: './datasets/raw/',
  PROCESSED_DATA_DIR: './datasets/processed/',
  MODEL_CHECKPOINT_DIR: './checkpoints/',
  MODEL_FINAL_SELECTION_DIR: './assets/reproduce/',
  SUBMISSION_DIR: './submissions/',
  ASSETS_DIR: './assets/',
  TEMP_DIR: './tmp/',
});

/**
 * Reads a SETTINGS.json and resolves every path against the file's folder.
 * @param file path of SETTINGS.json; when absent, the defaults resolved against `baseDir`.
 * @throws RsnaMammoError ERR_SETTINGS when the file is unreadable, not JSON, or a key is not a string.
 */
export function loadSettings(file?: string, baseDir: string = process.cwd()): Settings {
  let raw: Partial<Record<keyof Settings, unknown>> = {};
  let base = baseDir;
  if (file) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new RsnaMammoError('ERR_SETTINGS', `cannot read settings: ${(err as Error).message}`, { file });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new RsnaMammoError('ERR_SETTINGS', `not valid JSON: ${(err as Error).message}`, { file });
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new RsnaMammoError('ERR_SETTINGS', `must be a JSON object of paths, not ${parsed === null ? 'null' : Array.isArray(parsed) ? 'an array' : typeof parsed}`, { file });
    }
    raw = parsed as typeof raw;
    base = path.dirname(path.resolve(file));
  }
  const out = {} as Settings;
  for (const key of SETTINGS_KEYS) {
    const value = raw[key] ?? DEFAULT_SETTINGS[key];
    if (typeof value !== 'string') {
      throw new RsnaMammoError('ERR_SETTINGS', `${key} must be a string path`, { file });
    }
    out[key] = path.resolve(base, value);
  }
  return out;
}
