/** The package's root folder (where package.json, assets/, build/ and build-cuda/ are). */
import path from 'path';

/** lib/util/ (or dist/util/) is two levels below the root. */
export const packageRoot: string = path.resolve(__dirname, '..', '..');
