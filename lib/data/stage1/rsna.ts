/**
 * Stage 1 of the competition data (ALGORITHMS.md §7.1): train.csv inner-joined 1:1 on image_id with the
 * DICOM headers (metadata patient_id dropped, other keywords prefixed "__"), train.csv row order,
 * plus __WindowCenterList/__WindowWidthList and their lengths; stage1_images → train_images.
 * Column order of the DICOM part: keywords in order of first appearance (the original's is a Python
 * set's order, i.e. arbitrary).
 */
import path from 'path';
import { dicomMetaColumns, getter, makeSymlink, readTypedCsv, Stage1Context, Stage1Result, writeCleanedLabels } from './common';
import { cellText, MISSING, pyInt, PyValue } from './pyValue';
import { pyFloatRepr } from '../pythonJson';
import { RsnaMammoError } from '../../errors';

/** `[float(x)] if isinstance(x, float) else [float(e) for e in x]`, printed as a Python list. */
function windowList(v: PyValue): { text: string; length: number } {
  const items = v.t === 'list' ? v.items : [v];
  const floats = items.map((i) => (i.t === 'missing' ? NaN : Number((i as { v: unknown }).v)));
  return { text: `[${floats.map((f) => (Number.isNaN(f) ? 'nan' : pyFloatRepr(f))).join(', ')}]`, length: floats.length };
}

/** Builds cleaned_label.csv and the stage1_images link for RSNA. */
export function stage1Rsna(ctx: Stage1Context): Stage1Result {
  const df = readTypedCsv(path.join(ctx.rawDir, 'train.csv'));
  const g = getter(df);
  const imagesDir = path.join(ctx.rawDir, 'train_images');
  const ids = df.rows.map((r) => ({ patientId: cellText(g(r, 'patient_id')), imageId: cellText(g(r, 'image_id')) }));
  const meta = dicomMetaColumns(imagesDir, ids, 'dcm', (m, file) => {
    if (m.has('ModalityLUTSequence')) throw new RsnaMammoError('ERR_STAGE1_DICOM', 'ModalityLUTSequence present (the original asserts it is absent)', { file });
  });
  const keywords = meta.keywords;
  const cols = [...df.columns, ...keywords.map((k) => `__${k}`), '__WindowCenterList', '__WindowCenterListLength', '__WindowWidthList', '__WindowWidthListLength'];
  const rows = df.rows.map((r, i) => {
    const m = meta.values[i];
    const wc = windowList(m.get('WindowCenter') ?? MISSING);
    const ww = windowList(m.get('WindowWidth') ?? MISSING);
    return [...r, ...keywords.map((k) => m.get(k) ?? MISSING), { t: 'opaque', text: wc.text } as PyValue, pyInt(wc.length), { t: 'opaque', text: ww.text } as PyValue, pyInt(ww.length)];
  });
  writeCleanedLabels(ctx.cleanedLabelFile, { columns: cols, rows });
  makeSymlink(imagesDir, ctx.stage1Dir);
  return { rows: rows.length, images: rows.length };
}
