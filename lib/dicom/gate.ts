/**
 * The input gate of readDicom: only a regular file (a symlink is followed, then its target is
 * checked) no larger than maxFileBytes, whose first 132 bytes carry the `DICM` magic (or start a
 * bare implicit-VR dataset), is read whole. A FIFO, a device such as /dev/zero, a directory or a
 * sparse multi-GB non-DICOM file is refused after at most one bounded read, never read to the end.
 */
import fs from 'fs';
import { RsnaMammoError } from '../errors';
import { dicomLimits, limitError } from './limits';

const HEAD_BYTES = 132;

function kindOf(st: fs.Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Whether the first bytes are a Part 10 preamble + `DICM`, or a bare implicit-VR dataset. */
export function hasDicomMagic(head: Uint8Array): boolean {
  if (head.length >= HEAD_BYTES && head[128] === 0x44 && head[129] === 0x49 && head[130] === 0x43 && head[131] === 0x4d) return true;
  // An implicit VR little endian dataset without preamble starts with a group 0002/0008 tag.
  return head.length >= 8 && (head[0] === 0x08 || head[0] === 0x02) && head[1] === 0x00;
}

function notRegular(file: string, st: fs.Stats): RsnaMammoError {
  return new RsnaMammoError('ERR_DICOM_NOT_A_FILE', `${kindOf(st)}, not a regular file: refused without reading`, { file });
}

/**
 * Reads a DICOM file through the gate.
 * @throws RsnaMammoError ERR_DICOM_READ | ERR_DICOM_NOT_A_FILE | ERR_DICOM_FILE_TOO_LARGE | ERR_DICOM_NOT_DICOM
 */
export async function readDicomBytes(file: string): Promise<Buffer> {
  const readError = (err: unknown): RsnaMammoError =>
    new RsnaMammoError('ERR_DICOM_READ', `cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { file, cause: err });
  let st: fs.Stats;
  try {
    st = await fs.promises.stat(file); // follows symlinks: the target is what is checked
  } catch (err) {
    throw readError(err);
  }
  if (!st.isFile()) throw notRegular(file, st);
  const max = dicomLimits().maxFileBytes;
  if (st.size > max) throw limitError('ERR_DICOM_FILE_TOO_LARGE', 'maxFileBytes', `the file size ${st.size} bytes`, file);
  let fh: fs.promises.FileHandle;
  try {
    // O_NONBLOCK: if the path was swapped for a FIFO after stat, open must not wait for a writer.
    fh = await fs.promises.open(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY);
  } catch (err) {
    throw readError(err);
  }
  try {
    const st2 = await fh.stat();
    if (!st2.isFile()) throw notRegular(file, st2);
    const size = st2.size;
    if (size > max) throw limitError('ERR_DICOM_FILE_TOO_LARGE', 'maxFileBytes', `the file size ${size} bytes`, file);
    const head = Buffer.alloc(Math.min(HEAD_BYTES, size));
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    if (!hasDicomMagic(head.subarray(0, bytesRead))) {
      throw new RsnaMammoError('ERR_DICOM_NOT_DICOM', 'not a DICOM file (no "DICM" marker at byte 128)', { file });
    }
    const bytes = Buffer.allocUnsafe(size);
    head.copy(bytes, 0, 0, bytesRead);
    let at = bytesRead;
    while (at < size) {
      const { bytesRead: n } = await fh.read(bytes, at, size - at, at);
      if (n === 0) break; // the file shrank while being read
      at += n;
    }
    return at === size ? bytes : bytes.subarray(0, at);
  } catch (err) {
    if (err instanceof RsnaMammoError) throw err;
    throw readError(err);
  } finally {
    await fh.close().catch(() => undefined);
  }
}

/**
 * The synchronous gate for header-only readers (dataset preparation): opens `file` without blocking
 * on a FIFO and returns its descriptor and size once it is known to be a regular file within
 * maxFileBytes. The caller closes the descriptor.
 * @throws RsnaMammoError ERR_DICOM_NOT_A_FILE | ERR_DICOM_FILE_TOO_LARGE (and fs errors as thrown)
 */
export function openDicomSync(file: string): { fd: number; size: number } {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY);
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw notRegular(file, st);
    if (st.size > dicomLimits().maxFileBytes) throw limitError('ERR_DICOM_FILE_TOO_LARGE', 'maxFileBytes', `the file size ${st.size} bytes`, file);
    return { fd, size: st.size };
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
}
