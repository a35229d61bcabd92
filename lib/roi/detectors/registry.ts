/**
 * The ROI detectors by name: built-ins registered here, others with {@link registerRoiDetector}. The
 * chain a method runs is the detector, its fallback, theirs…, then the full frame (ALGORITHMS.md §2.7).
 */
import { invalidArgument } from '../../errors';
import { otsuDetector } from './otsu';
import type { RoiDetector, RoiDetectorName } from './types';
import { yoloxDetector } from './yolox';

const detectors = new Map<string, RoiDetector>();

/** Registers (or replaces) a detector under its name. */
export function registerRoiDetector(detector: RoiDetector): void {
  if (!detector || typeof detector.name !== 'string' || !detector.name || (detector.name as string) === 'full' || typeof detector.detect !== 'function') {
    throw invalidArgument('detector', "a RoiDetector {name (not 'full'), needsModel, detect()}", detector);
  }
  detectors.set(detector.name, detector);
}

/** Names of the registered detectors, built-ins first. */
export function roiDetectorNames(): RoiDetectorName[] {
  return [...detectors.keys()] as RoiDetectorName[];
}

/** True when `name` is a registered detector. */
export function isRoiDetectorName(name: unknown): name is RoiDetectorName {
  return typeof name === 'string' && detectors.has(name);
}

/**
 * The detector `name`.
 * @throws RsnaMammoError ERR_INVALID_ARGUMENT naming the registered ones
 */
export function roiDetector(name: unknown, what = 'roi'): RoiDetector {
  if (!isRoiDetectorName(name)) throw invalidArgument(what, `one of ${roiDetectorNames().join(', ')}`, name);
  return detectors.get(name)!;
}

/** The detectors `name` runs, in order (a cycle stops at the first repeat). */
export function roiDetectorChain(name: RoiDetectorName): RoiDetector[] {
  const chain: RoiDetector[] = [];
  for (let d: RoiDetector | undefined = roiDetector(name); d && !chain.includes(d); d = d.fallback ? detectors.get(d.fallback) : undefined) chain.push(d);
  return chain;
}

registerRoiDetector(yoloxDetector);
registerRoiDetector(otsuDetector);
