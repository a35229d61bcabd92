/**
 * Where a prepared classifier input lives (host Uint8Array or GPU plane) and how to let it go: the
 * scheduler frees device inputs as soon as their batch is inferred (GC would too, but later).
 */
import type { ClassifierInput, DeviceClassifierInput } from './types';

/** Whether the classifier input is in GPU memory. */
export function isDeviceInput(input: ClassifierInput): input is DeviceClassifierInput {
  return !(input instanceof Uint8Array) && (input as DeviceClassifierInput)?.location === 'cuda';
}

/** The input in host memory: itself, or the one device→host copy (reports, tests). */
export async function hostInput(input: ClassifierInput): Promise<Uint8Array> {
  return isDeviceInput(input) ? input.toHost() : input;
}

/** Pixels of the input (height × width), wherever it lives. */
export function inputPixels(input: ClassifierInput): number {
  return isDeviceInput(input) ? input.height * input.width : input.length;
}

/** Frees device memory held by `input` (no-op for host data). */
export function releaseInput(input: ClassifierInput | undefined): void {
  if (input && isDeviceInput(input)) input.dispose();
}
