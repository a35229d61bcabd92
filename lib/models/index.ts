/**
 * Models: read PyTorch/safetensors checkpoints without Python, write torch.save-compatible ones,
 * and convert timm ConvNeXt (single or k-fold ensemble) and YOLOX checkpoints to ONNX.
 */
export { readTorchCheckpoint } from './torch/checkpoint_reader';
export { writeTorchCheckpoint } from './torch/checkpoint_writer';
export { readSafetensors } from './torch/safetensors';
export { TorchTensor, PickleObject, PyGlobal, PyTuple, PyFloat } from './torch/pickle_values';
export type { TorchDType, TensorArray } from './torch/pickle_values';
export { convertClassifier, readTimmWeights } from './convert_classifier';
export type { ConvertClassifierOptions } from './convert_classifier';
export { convertYolox } from './convert_yolox';
export type { ConvertYoloxOptions } from './convert_yolox';
export { inferConvNextConfig, CONVNEXT_SMALL } from './convnext';
export type { ConvNextConfig } from './convnext';
export { inferYoloxConfig, yoloxAnchorCount, YOLOX_NANO_RSNA, YOLOX_STRIDES } from './yolox';
export type { YoloxConfig } from './yolox';
export { MEAN_255, STD_255 } from './kfold_ensemble';
export { makeRandomConvnextCheckpoint, convnextStateDictShapes } from './random_convnext';
export type { RandomConvnextOptions } from './random_convnext';
export { pickStateDict } from './state_dict';
export type { StateDict } from './state_dict';
export { makeRandomYoloxCheckpoint, yoloxStateDictShapes } from './random_yolox';
