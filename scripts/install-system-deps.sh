#!/usr/bin/env bash
# Installs the Debian packages listed in scripts/apt-packages.txt (and, with --bench, those of
# scripts/apt-packages-bench.txt; with --prebuild, Debian's nvidia-cuda-toolkit 11.8 from the
# contrib/non-free components, the toolkit `npm run prebuild` uses for sm_60..sm_90) when they are
# missing. Needs root (or sudo) on Debian/Ubuntu.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
lists=("$here/apt-packages.txt")
[ "${1:-}" = "--bench" ] && lists+=("$here/apt-packages-bench.txt")
if [ "${1:-}" = "--prebuild" ]; then
  lists+=("$here/apt-packages-prebuild.txt")
  # nvidia-cuda-toolkit lives in contrib/non-free: add those components once (a separate sources file).
  src=/etc/apt/sources.list.d/debian-contrib-nonfree.sources
  if [ ! -f "$src" ] && ! grep -rqs "non-free" /etc/apt/sources.list /etc/apt/sources.list.d/; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm bookworm-updates\nComponents: contrib non-free\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' | $SUDO tee "$src" >/dev/null
  fi
fi
missing=()
for list in "${lists[@]}"; do
  [ -f "$list" ] || continue
  while read -r pkg; do
    [ -z "$pkg" ] && continue
    case "$pkg" in \#*) continue ;; esac
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done < "$list"
done
if [ ${#missing[@]} -eq 0 ]; then echo "system packages: all present"; exit 0; fi
echo "system packages: installing ${missing[*]}"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
