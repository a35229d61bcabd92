#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI lives in lib/cli (compiled to dist/cli by `npm install` / `npm run build`).
const path = require('path');
const fs = require('fs');
// A closed pipe (`rsna-mammo ... | head`) ends the command quietly instead of crashing on EPIPE.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => { if (err && err.code === 'EPIPE') process.exit(0); throw err; });
}
const compiled = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
if (!fs.existsSync(compiled)) {
  console.error('rsna-mammo: dist/ is missing; run `npm run build` (TypeScript) first.');
  process.exit(1);
}
require(compiled).main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(`rsna-mammo: ${err && err.message ? err.message : err}`); process.exitCode = 1; }
);
