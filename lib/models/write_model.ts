/**
 * The one way a conversion writes its .onnx: to a temporary sibling, loaded once with ONNX Runtime,
 * then renamed over `outFile`. A model the runtime refuses is never left behind (issue 12: `convert`
 * used to exit 0 with a file inference could not open).
 */
import fs from 'fs';
import { RsnaMammoError } from '../errors';
import { createSession } from '../runtime';
import { writeFileAtomicWith } from '../util/writeFileAtomic';

/**
 * Writes `model` (ONNX protobuf bytes) to `outFile` only if ONNX Runtime can create a session from it.
 * @throws RsnaMammoError ERR_CONVERT_INVALID_OUTPUT naming `outFile` and the runtime's reason; no file is left
 */
export async function writeLoadableModel(outFile: string, model: Uint8Array): Promise<void> {
  await writeFileAtomicWith(outFile, async (fd, temp) => {
    fs.writeFileSync(fd, model);
    let session;
    try {
      session = await createSession(temp, { backend: 'onnxruntime', threads: 1 });
    } catch (err) {
      throw new RsnaMammoError('ERR_CONVERT_INVALID_OUTPUT', `the converted model does not load in ONNX Runtime, nothing written: ${(err as Error).message.split(temp).join('<model>')}`, { file: outFile, cause: err });
    }
    await session.dispose();
  });
}
