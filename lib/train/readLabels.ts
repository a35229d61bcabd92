/**
 * Reads the sampler's label list: a JSON array of numbers, or an object with a `labels` array.
 */
import fs from 'fs';
import { RsnaMammoError } from '../errors';

/** @throws RsnaMammoError ERR_LABELS naming the file for unreadable JSON, a missing list or a non-number entry */
export function readLabelsJson(file: string): number[] {
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new RsnaMammoError('ERR_LABELS', `cannot read labels JSON: ${(err as Error).message}`, { file });
  }
  const list = Array.isArray(data) ? data : (data as { labels?: unknown } | null)?.labels;
  if (!Array.isArray(list)) throw new RsnaMammoError('ERR_LABELS', 'expected a JSON array of labels or {"labels": [...]}', { file });
  list.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new RsnaMammoError('ERR_LABELS', `label ${i} is ${JSON.stringify(v)}, not a finite number`, { file });
  });
  return list as number[];
}
