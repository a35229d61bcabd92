/**
 * Expands `predict` arguments: files as given, folders searched recursively for *.dcm (sorted).
 * Nothing in a folder is passed over silently: a *.dcm entry that is a symlink, FIFO, device or
 * anything else goes on to the reader, whose input gate (lib/dicom/gate.ts) refuses it with a reason;
 * entries not taken (other names, symlinked or unreadable folders) are listed in `skipped`.
 */
import fs from 'fs';
import path from 'path';
import { RsnaMammoError } from '../errors';

/** A folder entry `predict` did not take, and why. */
export interface SkippedEntry {
  path: string;
  reason: string;
}

/**
 * @param inputs file or folder paths.
 * @returns DICOM file paths in a stable order (each folder's files sorted by path) and the skipped entries.
 * @throws RsnaMammoError ERR_FILE_NOT_FOUND for a path that does not exist.
 */
export function collectDicomInputs(inputs: readonly string[]): { files: string[]; skipped: SkippedEntry[] } {
  const files: string[] = [];
  const skipped: SkippedEntry[] = [];
  const walk = (dir: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch (err) {
      skipped.push({ path: dir, reason: `folder cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` });
      return;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.dcm$/i.test(e.name)) {
        let target: fs.Stats | undefined;
        try {
          target = e.isSymbolicLink() ? fs.statSync(p) : undefined;
        } catch {
          skipped.push({ path: p, reason: 'a symlink whose target does not exist' });
          continue;
        }
        if (target?.isDirectory()) skipped.push({ path: p, reason: 'a symlink to a folder (not followed)' });
        else files.push(p); // regular files, symlinks to files and special files: the reader's gate decides
      } else if (e.isSymbolicLink()) skipped.push({ path: p, reason: 'a symlink without the .dcm extension (not followed)' });
      else skipped.push({ path: p, reason: 'not a .dcm file' });
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
    else files.push(input);
  }
  return { files, skipped };
}

/** The DICOM file paths of {@link collectDicomInputs}. */
export function collectDicomFiles(inputs: readonly string[]): string[] {
  return collectDicomInputs(inputs).files;
}
