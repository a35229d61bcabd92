/**
 * rsna-mammo: the RSNA Screening Mammography 1st-place pipeline for Node.js.
 * Public API; each area's module re-exports its typed functions here.
 */
export { RsnaMammoError } from './errors';
export { loadSettings, DEFAULT_SETTINGS, SETTINGS_KEYS } from './settings';
export type { Settings } from './settings';
export { loadCpuAddon, cpuAddonStatus } from './native';
export {
  minMaxScale255, percentileMinMaxScale, detectorInput, classifierInput, windowedCropUint8, resizeTrainingPath,
  windowToUint8,
} from './preprocess';
export type { Box, WindowMeta, DetectorInput, DisplayImageTags } from './preprocess';
export {
  decodeYolox, postprocessYolox, selectYoloxBox, otsuRoi, detectRoi, detectRoiFromScaled, yoloxRunnerFromModel, ROI_DEFAULTS,
} from './roi';
export type { RoiMethod, RoiResult, YoloxCandidate, YoloxRunner, DetectRoiOptions } from './roi';
