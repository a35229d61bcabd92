#!/usr/bin/env node
'use strict';
// Finds the optional native codec libraries for binding.gyp. Prints, for the asked part
// (defines | libraries | include_dirs), what the found libraries need. A library that is not found
// is skipped: the WASM codecs from npm take over at run time (lib/dicom says which decoder ran).
// RSNA_MAMMO_NO_NATIVE_CODECS=1 forces the WASM-only build. Grok (libgrokj2k, AGPL-3.0, the faster
// JPEG 2000 decoder) is linked only into source builds that find it; RSNA_MAMMO_NO_GROK=1 leaves it
// out (scripts/prebuild.js sets it: a prebuilt never links Grok).
const { execFileSync } = require('child_process');
const fs = require('fs');

const part = process.argv[2];

function pkgConfig(name, flag) {
  try {
    return execFileSync('pkg-config', [flag, name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

function findCodecs() {
  if (process.env.RSNA_MAMMO_NO_NATIVE_CODECS === '1') return [];
  const found = [];
  const byPkg = [
    { define: 'RSNA_HAVE_OPENJPEG', pkg: 'libopenjp2' },
    { define: 'RSNA_HAVE_CHARLS', pkg: 'charls' },
    { define: 'RSNA_HAVE_OPENJPH', pkg: 'openjph', lib: '-lopenjph' },
  ];
  if (process.env.RSNA_MAMMO_NO_GROK !== '1') byPkg.push({ define: 'RSNA_HAVE_GROK', pkg: 'libgrokj2k' });
  for (const codec of byPkg) {
    const libs = pkgConfig(codec.pkg, '--libs');
    if (libs === null) continue;
    const cflags = pkgConfig(codec.pkg, '--cflags') || '';
    const libraries = libs.split(/\s+/).filter(Boolean);
    // openjph's pkg-config file prints no -l flag: add the library it names.
    if (codec.lib && !libraries.includes(codec.lib)) libraries.push(codec.lib);
    found.push({
      define: codec.define,
      libraries,
      includeDirs: cflags.split(/\s+/).filter((f) => f.startsWith('-I')).map((f) => f.slice(2)),
    });
  }
  // GDCM's IJG forks (8/12/16-bit JPEG incl. lossless) have no pkg-config file.
  const gdcmInclude = '/usr/include/gdcm-3.0';
  const libdir = '/usr/lib/x86_64-linux-gnu';
  if (fs.existsSync(`${gdcmInclude}/gdcmjpeg/8`) || fs.existsSync(`${libdir}/libgdcmjpeg16.so`)) {
    if (['8', '12', '16'].every((b) => fs.existsSync(`${libdir}/libgdcmjpeg${b}.so`))) {
      found.push({
        define: 'RSNA_HAVE_GDCM_JPEG',
        libraries: ['-lgdcmjpeg8', '-lgdcmjpeg12', '-lgdcmjpeg16'],
        includeDirs: [gdcmInclude],
      });
    }
  }
  return found;
}

const codecs = findCodecs();
if (part === 'defines') process.stdout.write(codecs.map((c) => c.define).join(' '));
else if (part === 'libraries') process.stdout.write(codecs.flatMap((c) => c.libraries).join(' '));
else if (part === 'include_dirs') process.stdout.write([...new Set(codecs.flatMap((c) => c.includeDirs))].join(' '));
else if (part === 'summary') {
  process.stdout.write(codecs.length ? `native codecs: ${codecs.map((c) => c.define).join(', ')}\n` : 'native codecs: none found (WASM fallback)\n');
} else {
  process.stderr.write('usage: gyp-codecs.js defines|libraries|include_dirs|summary\n');
  process.exit(2);
}
