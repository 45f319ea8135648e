#!/usr/bin/env bash
# Re-create the fonts GeneDesk embeds in its PDFs from Debian's DejaVu packages, and record
# exactly where every file came from (package, version, .deb checksum, file checksums).
#
# Why DejaVu Sans: one family with regular, bold, oblique and bold-oblique faces that covers
# Latin Extended, Greek, Cyrillic and Vietnamese (see the package's langcover.txt), under a
# permissive licence that allows embedding and redistribution. DejaVu Sans Mono prints the
# vault recovery key.
#
# Needs: a Debian 12 (bookworm) machine with apt-get and dpkg-deb (run `apt-get update` first).
# Run from anywhere: bash resources/fonts/fetch-fonts.sh
set -euo pipefail

CORE_PACKAGE=fonts-dejavu-core
EXTRA_PACKAGE=fonts-dejavu-extra
VERSION=2.37-6

# file in the package -> package it comes from
declare -A FONTS=(
  [DejaVuSans.ttf]=$CORE_PACKAGE
  [DejaVuSans-Bold.ttf]=$CORE_PACKAGE
  [DejaVuSans-Oblique.ttf]=$EXTRA_PACKAGE
  [DejaVuSans-BoldOblique.ttf]=$EXTRA_PACKAGE
  [DejaVuSansMono.ttf]=$CORE_PACKAGE
  [DejaVuSansMono-Bold.ttf]=$CORE_PACKAGE
)

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

# apt-get download runs as the unprivileged _apt user where it can; let it write here.
chmod 0777 "$work"
apt-get download "$CORE_PACKAGE=$VERSION" "$EXTRA_PACKAGE=$VERSION"
for deb in ./*.deb; do
  dpkg-deb -x "$deb" root
done

for name in $(printf '%s\n' "${!FONTS[@]}" | sort); do
  install -m 0644 "root/usr/share/fonts/truetype/dejavu/$name" "$here/$name"
done
install -m 0644 "root/usr/share/doc/$CORE_PACKAGE/copyright" "$here/LICENSE-DejaVu.txt"

{
  echo "# Where the fonts in this folder came from. Written by fetch-fonts.sh; do not edit."
  echo "# package<TAB>version<TAB>sha256 of the .deb"
  for deb in ./*.deb; do
    printf '%s\t%s\t%s\n' \
      "$(dpkg-deb -f "$deb" Package)" "$(dpkg-deb -f "$deb" Version)" \
      "$(sha256sum "$deb" | cut -d' ' -f1)"
  done
  echo "# file<TAB>package<TAB>sha256"
  for name in $(printf '%s\n' "${!FONTS[@]}" | sort); do
    printf '%s\t%s\t%s\n' "$name" "${FONTS[$name]}" "$(sha256sum "$here/$name" | cut -d' ' -f1)"
  done
} > "$here/SOURCES.tsv"

echo "Fonts written to $here (see SOURCES.tsv)."
