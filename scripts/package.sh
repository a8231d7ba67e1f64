#!/usr/bin/env bash
# package.sh - build pgdrift's Debian package (.deb) from this tree.
#
#   scripts/package.sh [OUTDIR]     (default OUTDIR: ./dist)
#
# Exports the files git knows (tracked, plus untracked ones it does not
# ignore) into a scratch directory, so build directories and local clutter
# never reach the source package, runs `dpkg-buildpackage -us -uc` there
# (debian/rules: debhelper + meson, unit and golden suites at build time),
# checks the result with lintian (errors fail the build) and copies the
# .deb, .dsc, .tar.xz, .buildinfo and .changes to OUTDIR. Needs root for the
# build dependencies only (scripts/bootstrap.sh --package installs them).
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)
out=${1:-$root/dist}
mkdir -p "$out"
out=$(cd "$out" && pwd)

scripts/bootstrap.sh --package

version=$(dpkg-parsechangelog -l debian/changelog -S Version)
scratch=$(mktemp -d "${TMPDIR:-/tmp}/pgdrift-package.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
src="$scratch/pgdrift-$version"
mkdir -p "$src"
git ls-files -z --cached --others --exclude-standard |
	while IFS= read -r -d '' f; do [[ -e "$f" ]] && printf '%s\0' "$f"; done |
	tar --null -T - -cf - | tar -xf - -C "$src"

echo "package: building pgdrift $version in $src" >&2
(cd "$src" && dpkg-buildpackage -us -uc >"$scratch/build.log" 2>&1) || {
	tail -n 60 "$scratch/build.log" >&2
	echo "package: dpkg-buildpackage failed (log above)" >&2
	exit 1
}

arch=$(dpkg-architecture -qDEB_HOST_ARCH)
deb="$scratch/pgdrift_${version}_${arch}.deb"
[[ -f "$deb" ]] || { echo "package: no $deb was built" >&2; exit 1; }

echo "package: lintian" >&2
lintian --fail-on error --tag-display-limit 0 "$scratch"/pgdrift_"${version}"_"${arch}".changes >&2

cp "$scratch"/pgdrift_"${version}"* "$out"/
echo "$out/pgdrift_${version}_${arch}.deb"
