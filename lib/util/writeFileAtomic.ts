/** The one atomic file write of the package (results, CSVs, PNGs, reports, checkpoints). */
import fs from 'fs';
import path from 'path';

/**
 * Runs `write(fd)` on a temporary file in the folder of `file`, fsyncs it, then renames it over
 * `file`: readers see the old file or the whole new one, also after a crash. Creates the folder; on
 * failure the temporary file is removed and the error rethrown. `write` also gets the temporary
 * file's path, to check what it wrote before the rename (e.g. load a model).
 */
export async function writeFileAtomicWith(file: string, write: (fd: number, tempPath: string) => void | Promise<void>): Promise<void> {
  const temp = openTemp(file);
  try {
    await write(temp.fd, temp.path);
  } catch (err) {
    temp.abandon();
    throw err;
  }
  temp.commit();
}

/** Writes `data` to `file` atomically (see {@link writeFileAtomicWith}), synchronously. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const temp = openTemp(file);
  try {
    fs.writeFileSync(temp.fd, data);
  } catch (err) {
    temp.abandon();
    throw err;
  }
  temp.commit();
}

/** A temporary sibling of `file`: commit() = fsync, close, rename over `file`; abandon() = close, remove. */
function openTemp(file: string): { fd: number; path: string; commit(): void; abandon(): void } {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const fd = fs.openSync(tmp, 'w');
  const abandon = (): void => {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
  };
  return {
    fd,
    path: tmp,
    abandon,
    commit() {
      try {
        fs.fdatasyncSync(fd);
      } catch (err) {
        abandon();
        throw err;
      }
      fs.closeSync(fd);
      fs.renameSync(tmp, file);
    },
  };
}
