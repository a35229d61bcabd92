/**
 * The classifier feed of one batch (docs/GPU.md "The engine input stays on the GPU"): host inputs give
 * the host tensor as before; when any input is on the GPU the batch is assembled there, handed to a
 * session that `acceptsDeviceInput` as a DeviceTensor (no host copy at all), else copied to the host
 * once for the whole batch.
 */
import type { GpuPlane } from '../gpu/pipeline';
import { DeviceBatchTensor } from '../gpu/deviceBatch';
import type { Feed, InferenceSession } from '../runtime/types';
import { hostInput, isDeviceInput } from './classifierInput';
import { BatchTensorBuffer } from './tensor';
import type { ClassifierInput } from './types';

/** A GpuPlane (by shape, so a second copy of this module's classes still qualifies). */
function readsInPlace(x: ClassifierInput): x is GpuPlane {
  return typeof (x as Partial<GpuPlane>).native === 'function';
}

/** Builds batch feeds for one session; batches are fed one at a time (the scheduler's infer slot). */
export class BatchFeeder {
  private readonly host = new BatchTensorBuffer();
  private device: DeviceBatchTensor | undefined;

  constructor(private readonly session: Pick<InferenceSession, 'acceptsDeviceInput'>) {}

  /**
   * The [N,3,height,width] float32 feed of `inputs`; valid until the next call (the session's run()
   * must settle first).
   */
  async feed(inputs: readonly ClassifierInput[], height: number, width: number): Promise<Feed> {
    const dims = [inputs.length, 3, height, width];
    if (!inputs.some(isDeviceInput)) return { data: await this.host.fill(inputs as Uint8Array[], height * width), dims };
    // Only GPU planes made by lib/gpu can be read in place; any other device input comes to the host.
    const items = await Promise.all(inputs.map((x) => (x instanceof Uint8Array || readsInPlace(x) ? x : hostInput(x))));
    this.device ??= new DeviceBatchTensor();
    const tensor = await this.device.fill(items, height, width);
    if (this.session.acceptsDeviceInput) return tensor;
    const data = this.host.view(inputs.length * 3 * height * width);
    await this.device.download(data as Float32Array);
    return { data, dims };
  }

  /** Frees the device tensor. */
  dispose(): void {
    this.device?.dispose();
    this.device = undefined;
  }
}
