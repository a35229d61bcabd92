/**
 * Worker thread of the stage-2 pool: on its first message it loads its own ROI detector (as each
 * joblib worker of the original loads its own engine, §7.7.4), then runs `writeStage2Image` per job.
 */
import { parentPort } from 'worker_threads';
import { writeStage2Image } from './processImage';
import { roiOptionsFor } from './roiOptions';
import type { DetectRoiOptions } from '../../roi';
import type { Stage2Job, Stage2Reply, Stage2WorkerInit } from './protocol';

let ready: Promise<{ options: DetectRoiOptions }> | undefined;

parentPort!.on('message', async (msg: { init: Stage2WorkerInit } | Stage2Job) => {
  if ('init' in msg) {
    ready = roiOptionsFor(msg.init);
    ready.catch(() => undefined);
    return;
  }
  let reply: Stage2Reply;
  try {
    const roi = await writeStage2Image(msg.kind, msg.src, msg.dst, (await ready!).options);
    reply = { id: msg.id, ok: true, roi };
  } catch (err) {
    reply = { id: msg.id, ok: false, error: (err as Error)?.message ?? String(err) };
  }
  parentPort!.postMessage(reply);
});
