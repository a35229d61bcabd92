#!/usr/bin/env bash
# Builds the native DICOM codecs with AddressSanitizer + UBSan into a standalone harness and decodes
# intact and damaged frames with it (see harness.cc, make-cases.ts). Not run by `npm test` (slow);
# run it now and then: bash test/reliability/asan/run.sh [mutations per frame]
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
defines=$(node "$root/scripts/gyp-codecs.js" defines | sed 's/[^ ][^ ]*/-D&/g')
includes=$(node "$root/scripts/gyp-codecs.js" include_dirs | sed 's/[^ ][^ ]*/-I&/g')
libs=$(node "$root/scripts/gyp-codecs.js" libraries)
g++ -std=c++17 -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined \
  $defines -I"$root/native" $includes "$root"/native/dicom/{rle,j2k_openjpeg,jpegls_charls,jpeg_gdcm,jpeg_ijg8,jpeg_ijg12,jpeg_ijg16,htj2k_openjph}.cc \
  "$root/test/reliability/asan/harness.cc" -o "$work/harness" $libs
(cd "$root" && npx ts-node --transpile-only test/reliability/asan/make-cases.ts "$work/cases" "${1:-12}")
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 "$work/harness" "$work/cases"
