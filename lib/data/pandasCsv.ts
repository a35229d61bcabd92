/**
 * What a pandas `read_csv` → `to_csv(index=False)` round trip does to cell text, for the columns the
 * original writes back unchanged (fold CSVs, cleaned labels): an integer column with missing values
 * becomes float64, so its integers are written as "61.0". Other cells keep their text.
 */

/** Rewrites `rows` in place per column as the pandas round trip would (see file comment). */
export function pandasRoundTrip(rows: string[][], nColumns: number): void {
  for (let c = 0; c < nColumns; c++) {
    let hasEmpty = false;
    let allInt = true;
    let any = false;
    for (const r of rows) {
      const v = r[c];
      if (v === '') hasEmpty = true;
      else {
        any = true;
        if (!/^-?\d+$/.test(v)) {
          allInt = false;
          break;
        }
      }
    }
    if (any && allInt && hasEmpty) {
      for (const r of rows) if (r[c] !== '') r[c] = `${r[c]}.0`;
    }
  }
}
