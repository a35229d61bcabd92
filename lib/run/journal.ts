/**
 * Append-only CSV journals (predictions.csv, errors.csv) that survive a crash or `kill -9`:
 * every batch of finished images is appended with ONE write(2) on an O_APPEND descriptor, and on
 * resume a last line without its newline (a write cut short) is dropped and truncated away, so the
 * journal only ever holds whole records.
 */
import fs from 'fs';
import path from 'path';
import { RsnaMammoError } from '../errors';
import { parseCsv } from '../data/csv';
import { csvLine } from './csv';

/** An open journal: the records already there (on resume) and an `append` for new ones. */
export interface CsvJournal {
  readonly file: string;
  /** Header of the file (from disk on resume, else as given / written with the first append). */
  header: string[] | undefined;
  /** Records found on disk when opened with `resume` (whole lines only). */
  readonly existing: Record<string, string>[];
  /** Appends records atomically (one write); writes the header first when the file is empty. */
  append(records: readonly (readonly (string | number | boolean | null | undefined)[])[], header?: readonly string[]): void;
  /** Flushes to disk and closes. */
  close(): void;
}

/** Options of {@link openCsvJournal}. */
export interface JournalOptions {
  /** Keep the existing records (true) or start an empty file (false). */
  resume: boolean;
  /** fsync at most this often (ms); 0 = after every append. kill -9 loses nothing either way. */
  syncIntervalMs?: number;
}

/**
 * Opens (creating folders) a CSV journal.
 * @throws RsnaMammoError ERR_JOURNAL when the file cannot be opened or its header is unreadable.
 */
export function openCsvJournal(file: string, options: JournalOptions): CsvJournal {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let header: string[] | undefined;
  const existing: Record<string, string>[] = [];
  if (options.resume && fs.existsSync(file)) {
    const text = fs.readFileSync(file, 'utf8');
    const complete = text.lastIndexOf('\n') + 1;
    if (complete < text.length) {
      // A write cut short by the crash: drop the partial line.
      fs.truncateSync(file, Buffer.byteLength(text.slice(0, complete), 'utf8'));
    }
    const table = parseCsv(text.slice(0, complete));
    if (table.header.length > 0) {
      header = table.header;
      for (const r of table.rows) {
        if (r.length !== header.length) {
          throw new RsnaMammoError('ERR_JOURNAL', `a line has ${r.length} fields, the header ${header.length}; not resumable`, { file });
        }
        existing.push(Object.fromEntries(header!.map((h, i) => [h, r[i]])));
      }
    }
  }
  let fd: number;
  try {
    fd = fs.openSync(file, options.resume ? 'a' : 'w');
  } catch (err) {
    throw new RsnaMammoError('ERR_JOURNAL', `cannot open for appending: ${(err as Error).message}`, { file });
  }
  const syncInterval = options.syncIntervalMs ?? 2000;
  let lastSync = Date.now();
  let open = true;
  const journal: CsvJournal = {
    file,
    header,
    existing,
    append(records, wantHeader) {
      if (!open) throw new RsnaMammoError('ERR_JOURNAL', 'journal is closed', { file });
      let text = '';
      if (journal.header === undefined) {
        if (!wantHeader) throw new RsnaMammoError('ERR_JOURNAL', 'first append needs a header', { file });
        journal.header = [...wantHeader];
        text += csvLine(wantHeader);
      } else if (wantHeader && wantHeader.join(',') !== journal.header.join(',')) {
        throw new RsnaMammoError(
          'ERR_JOURNAL',
          `existing columns (${journal.header.join(',')}) differ from this run's (${wantHeader.join(',')}); ` +
            'start without --resume',
          { file },
        );
      }
      for (const r of records) text += csvLine(r);
      if (text === '') return;
      fs.writeSync(fd, text);
      if (Date.now() - lastSync >= syncInterval) {
        fs.fdatasyncSync(fd);
        lastSync = Date.now();
      }
    },
    close() {
      if (!open) return;
      open = false;
      fs.fdatasyncSync(fd);
      fs.closeSync(fd);
    },
  };
  return journal;
}

export { writeFileAtomic } from '../util/writeFileAtomic';
