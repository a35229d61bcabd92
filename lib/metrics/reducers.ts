/**
 * Validation-table reducers of projects/rsna/exps/base_exp.py `compute_metrics` (ALGORITHMS.md §6.3).
 */

/** One validation/OOF row: the columns the reducers read. */
export interface PredictionRow {
  siteId: number;
  patientId: string;
  laterality: string;
  /** Label used as `targets` (0/1). */
  target: number;
  /** Predicted probability. */
  pred: number;
}

/** Labels and predictions after reduction, in the order the original evaluates them. */
export interface ReducedTable {
  gts: Float64Array;
  preds: Float64Array;
}

export type ReducerName = 'single' | 'gbmean' | 'gbmean_site1' | 'gbmean_site2' | 'gbmax';

/** The reducers in the original's order; `gbmax` is implemented as a MEAN there (§6.3). */
export const REDUCER_NAMES: readonly ReducerName[] = ['single', 'gbmean', 'gbmean_site1', 'gbmean_site2', 'gbmax'];

/** Applies one reducer: `single` keeps image rows; the `gb*` ones average per (patient_id, laterality). */
export function reduceRows(rows: readonly PredictionRow[], reducer: ReducerName): ReducedTable {
  if (reducer === 'single') {
    return { gts: Float64Array.from(rows, (r) => r.target), preds: Float64Array.from(rows, (r) => r.pred) };
  }
  const site = reducer === 'gbmean_site1' ? 1 : reducer === 'gbmean_site2' ? 2 : undefined;
  return meanPerBreast(site === undefined ? rows : rows.filter((r) => r.siteId === site));
}

/** One (patient_id, laterality) group of a `gb*` reducer. */
export interface BreastKey {
  patientId: string;
  laterality: string;
}

/** A reduced table with the group of every entry (`gb*` reducers only). */
export interface BreastTable extends ReducedTable {
  keys: BreastKey[];
}

/**
 * pandas `groupby(['patient_id', 'laterality']).mean()`: groups sorted by key; each mean is a
 * Kahan-compensated sum in row order divided by the count, as pandas' cython group_mean does.
 */
export function meanPerBreast(rows: readonly PredictionRow[]): BreastTable {
  const groups = new Map<string, { patientId: string; laterality: string; n: number; target: Kahan; pred: Kahan }>();
  for (const r of rows) {
    const key = `${r.patientId}\u0000${r.laterality}`;
    let g = groups.get(key);
    if (!g) {
      g = { patientId: r.patientId, laterality: r.laterality, n: 0, target: { sum: 0, comp: 0 }, pred: { sum: 0, comp: 0 } };
      groups.set(key, g);
    }
    g.n++;
    kahanAdd(g.target, r.target);
    kahanAdd(g.pred, r.pred);
  }
  const sorted = [...groups.values()].sort(compareBreasts);
  return {
    gts: Float64Array.from(sorted, (g) => g.target.sum / g.n),
    preds: Float64Array.from(sorted, (g) => g.pred.sum / g.n),
    keys: sorted.map((g) => ({ patientId: g.patientId, laterality: g.laterality })),
  };
}

interface Kahan {
  sum: number;
  comp: number;
}

function kahanAdd(k: Kahan, v: number): void {
  const y = v - k.comp;
  const t = k.sum + y;
  k.comp = t - k.sum - y;
  k.sum = t;
}

/** pandas' group order: patient_id (numeric when both are numbers), then laterality. */
export function compareBreasts(a: BreastKey, b: BreastKey): number {
  return comparePatient(a.patientId, b.patientId) || compareStr(a.laterality, b.laterality);
}

/** Numeric patient ids sort as numbers (pandas reads them as int64), others as strings. */
function comparePatient(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (a !== '' && b !== '' && Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  return compareStr(a, b);
}

function compareStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
