/** Expands `predict` arguments: files as given, folders searched recursively for *.dcm (sorted). */
import fs from 'fs';
import path from 'path';
import { RsnaMammoError } from '../errors';

/**
 * @param inputs file or folder paths.
 * @returns DICOM file paths in a stable order (each folder's files sorted by path).
 * @throws RsnaMammoError ERR_FILE_NOT_FOUND for a path that does not exist.
 */
export function collectDicomFiles(inputs: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && /\.dcm$/i.test(e.name)) out.push(p);
    }
  };
  for (const input of inputs) {
    let st: fs.Stats;
    try {
      st = fs.statSync(input);
    } catch {
      throw new RsnaMammoError('ERR_FILE_NOT_FOUND', 'no such file or folder', { file: input });
    }
    if (st.isDirectory()) walk(input);
    else out.push(input);
  }
  return out;
}
