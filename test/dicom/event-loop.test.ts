// Decoding runs off the JS thread: during a large JPEG 2000 decode (the 26-megapixel RSNA file),
// a 5 ms interval timer keeps firing, on the native path (libuv pool) and the WASM path (worker).
import t from 'tap';
import { closeWasmPool, decodeFrame, frameSha256, readDicom } from '../../lib/dicom';
import type { DecoderChoice } from '../../lib/dicom';
import { needsShared, sharedPath } from '../helpers/shared';
import { dicomManifest, DICOM_DIR } from '../helpers/dicomManifest';

t.teardown(closeWasmPool);
const REL = `${DICOM_DIR}/rsna-kaggle/train_images/10006/462822612.dcm`;

async function decodeWhileTicking(decoder: DecoderChoice): Promise<{ ms: number; ticks: number; maxGap: number; sha: string }> {
  const image = await readDicom(sharedPath(REL)!);
  let ticks = 0;
  let last = performance.now();
  let maxGap = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
    ticks++;
  }, 5);
  const start = performance.now();
  last = start;
  const frame = await decodeFrame(image, 0, { decoder });
  const ms = performance.now() - start;
  clearInterval(timer);
  return { ms, ticks, maxGap, sha: frameSha256(frame, image) };
}

for (const decoder of ['native', 'wasm'] as const) {
  t.test(`event loop keeps ticking during a ${decoder} 5355x4915 J2K decode`, needsShared(REL), async (t) => {
    await decodeWhileTicking(decoder); // warm-up: WASM module instantiation, worker start
    const r = await decodeWhileTicking(decoder);
    const expected = dicomManifest().find((e) => REL.endsWith(e.file))?.reference.frame0_sha256;
    t.equal(r.sha, expected, 'the decode is correct');
    t.comment(`${decoder}: decode ${r.ms.toFixed(0)} ms, ${r.ticks} timer ticks, longest gap ${r.maxGap.toFixed(1)} ms`);
    // A decode on the JS thread would show one gap as long as the decode itself.
    t.ok(r.ticks >= 5, 'the timer fired repeatedly during the decode');
    t.ok(r.maxGap < r.ms / 2, 'no gap between ticks comes near the decode time');
  });
}
