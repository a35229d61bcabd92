/**
 * DICOM data dictionary excerpt (PS3.6): tag → [pydicom keyword, VR] for the top-level attributes
 * of image objects that the datasets' `__` metadata columns and the pipeline read
 * (ALGORITHMS.md §1.3, assets/data/*_cleaned_label.csv). Tags outside it appear in
 * DicomImage.attributes() under their `(gggg,eeee)` form.
 */
const ENTRIES: [string, string, string][] = [
  ['00020002', 'MediaStorageSOPClassUID', 'UI'], ['00020003', 'MediaStorageSOPInstanceUID', 'UI'],
  ['00020010', 'TransferSyntaxUID', 'UI'], ['00020012', 'ImplementationClassUID', 'UI'],
  ['00020013', 'ImplementationVersionName', 'SH'], ['00020016', 'SourceApplicationEntityTitle', 'AE'],
  ['00080005', 'SpecificCharacterSet', 'CS'], ['00080008', 'ImageType', 'CS'],
  ['00080012', 'InstanceCreationDate', 'DA'], ['00080013', 'InstanceCreationTime', 'TM'],
  ['00080014', 'InstanceCreatorUID', 'UI'], ['00080016', 'SOPClassUID', 'UI'], ['00080018', 'SOPInstanceUID', 'UI'],
  ['00080020', 'StudyDate', 'DA'], ['00080021', 'SeriesDate', 'DA'], ['00080022', 'AcquisitionDate', 'DA'],
  ['00080023', 'ContentDate', 'DA'], ['00080030', 'StudyTime', 'TM'], ['00080031', 'SeriesTime', 'TM'],
  ['00080032', 'AcquisitionTime', 'TM'], ['00080033', 'ContentTime', 'TM'], ['00080050', 'AccessionNumber', 'SH'],
  ['00080060', 'Modality', 'CS'], ['00080064', 'ConversionType', 'CS'], ['00080068', 'PresentationIntentType', 'CS'],
  ['00080070', 'Manufacturer', 'LO'], ['00080080', 'InstitutionName', 'LO'], ['00080090', 'ReferringPhysicianName', 'PN'],
  ['00081010', 'StationName', 'SH'], ['00081030', 'StudyDescription', 'LO'], ['0008103e', 'SeriesDescription', 'LO'],
  ['00081090', 'ManufacturerModelName', 'LO'], ['00082111', 'DerivationDescription', 'ST'],
  ['00082218', 'AnatomicRegionSequence', 'SQ'], ['00100010', 'PatientName', 'PN'], ['00100020', 'PatientID', 'LO'],
  ['00100030', 'PatientBirthDate', 'DA'], ['00100040', 'PatientSex', 'CS'], ['00101010', 'PatientAge', 'AS'],
  ['00120062', 'PatientIdentityRemoved', 'CS'], ['00120063', 'DeidentificationMethod', 'LO'],
  ['00120064', 'DeidentificationMethodCodeSequence', 'SQ'], ['00180015', 'BodyPartExamined', 'CS'],
  ['00180050', 'SliceThickness', 'DS'], ['00180060', 'KVP', 'DS'], ['00181000', 'DeviceSerialNumber', 'LO'],
  ['00181020', 'SoftwareVersions', 'LO'], ['00181030', 'ProtocolName', 'LO'], ['00181110', 'DistanceSourceToDetector', 'DS'],
  ['00181111', 'DistanceSourceToPatient', 'DS'], ['00181114', 'EstimatedRadiographicMagnificationFactor', 'DS'],
  ['00181150', 'ExposureTime', 'IS'], ['00181151', 'XRayTubeCurrent', 'IS'], ['00181152', 'Exposure', 'IS'],
  ['00181153', 'ExposureInuAs', 'IS'], ['00181164', 'ImagerPixelSpacing', 'DS'], ['00181166', 'Grid', 'CS'],
  ['00181190', 'FocalSpots', 'DS'], ['00181191', 'AnodeTargetMaterial', 'CS'], ['001811a0', 'BodyPartThickness', 'DS'],
  ['001811a2', 'CompressionForce', 'DS'], ['00181405', 'RelativeXRayExposure', 'IS'], ['00181508', 'PositionerType', 'CS'],
  ['00181510', 'PositionerPrimaryAngle', 'DS'], ['00181700', 'CollimatorShape', 'CS'], ['00187004', 'DetectorType', 'CS'],
  ['0018700a', 'DetectorID', 'SH'], ['00187050', 'FilterMaterial', 'CS'], ['00185101', 'ViewPosition', 'CS'],
  ['00185100', 'PatientPosition', 'CS'], ['00187060', 'ExposureControlMode', 'CS'],
  ['0020000d', 'StudyInstanceUID', 'UI'], ['0020000e', 'SeriesInstanceUID', 'UI'], ['00200010', 'StudyID', 'SH'],
  ['00200011', 'SeriesNumber', 'IS'], ['00200012', 'AcquisitionNumber', 'IS'], ['00200013', 'InstanceNumber', 'IS'],
  ['00200020', 'PatientOrientation', 'CS'], ['00200032', 'ImagePositionPatient', 'DS'],
  ['00200037', 'ImageOrientationPatient', 'DS'], ['00200052', 'FrameOfReferenceUID', 'UI'], ['00200060', 'Laterality', 'CS'],
  ['00200062', 'ImageLaterality', 'CS'], ['00204000', 'ImageComments', 'LT'], ['00280002', 'SamplesPerPixel', 'US'],
  ['00280004', 'PhotometricInterpretation', 'CS'], ['00280006', 'PlanarConfiguration', 'US'], ['00280008', 'NumberOfFrames', 'IS'],
  ['00280010', 'Rows', 'US'], ['00280011', 'Columns', 'US'], ['00280030', 'PixelSpacing', 'DS'],
  ['00280034', 'PixelAspectRatio', 'IS'], ['00280100', 'BitsAllocated', 'US'], ['00280101', 'BitsStored', 'US'],
  ['00280102', 'HighBit', 'US'], ['00280103', 'PixelRepresentation', 'US'], ['00280106', 'SmallestImagePixelValue', 'US'],
  ['00280107', 'LargestImagePixelValue', 'US'], ['00280120', 'PixelPaddingValue', 'US'], ['00280121', 'PixelPaddingRangeLimit', 'US'],
  ['00280300', 'QualityControlImage', 'CS'], ['00280301', 'BurnedInAnnotation', 'CS'], ['00281040', 'PixelIntensityRelationship', 'CS'],
  ['00281041', 'PixelIntensityRelationshipSign', 'SS'], ['00281050', 'WindowCenter', 'DS'], ['00281051', 'WindowWidth', 'DS'],
  ['00281052', 'RescaleIntercept', 'DS'], ['00281053', 'RescaleSlope', 'DS'], ['00281054', 'RescaleType', 'LO'],
  ['00281055', 'WindowCenterWidthExplanation', 'LO'], ['00281056', 'VOILUTFunction', 'CS'], ['00282110', 'LossyImageCompression', 'CS'],
  ['00282112', 'LossyImageCompressionRatio', 'DS'], ['00282114', 'LossyImageCompressionMethod', 'CS'],
  ['00283000', 'ModalityLUTSequence', 'SQ'], ['00283010', 'VOILUTSequence', 'SQ'], ['00283002', 'LUTDescriptor', 'US'],
  ['00283003', 'LUTExplanation', 'LO'], ['00283004', 'ModalityLUTType', 'LO'], ['00283006', 'LUTData', 'OW'],
  ['00400302', 'EntranceDose', 'US'], ['00400316', 'OrganDose', 'DS'], ['00400318', 'OrganExposed', 'CS'],
  ['00400555', 'AcquisitionContextSequence', 'SQ'], ['00540220', 'ViewCodeSequence', 'SQ'],
  ['20500020', 'PresentationLUTShape', 'CS'], ['7fe00010', 'PixelData', 'OW'],
];

/** Keyword and VR of a dicom-parser tag key (`xggggeeee`). */
export function dictionaryEntry(tagKey: string): { keyword: string; vr: string } | undefined {
  return BY_TAG.get(tagKey.slice(1).toLowerCase());
}

const BY_TAG = new Map(ENTRIES.map(([tag, keyword, vr]) => [tag, { keyword, vr }]));
