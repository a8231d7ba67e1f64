#!/usr/bin/env bash
# bootstrap.sh - install, only when missing, every Debian package pgdrift
# needs to build, test and run. Idempotent. As root it runs apt-get; as any
# other user it prints the exact command to run and exits 1 if anything is
# missing.
#
#   scripts/bootstrap.sh            build + test dependencies
#   scripts/bootstrap.sh --fuzz     also clang and its libFuzzer runtime
#   scripts/bootstrap.sh --package  also what scripts/package.sh needs
#                                   (debhelper, lintian, man-db)
set -euo pipefail

packages=(
	gcc libc6-dev pkg-config meson ninja-build python3 python3-yaml
	libpq-dev libpg-query-dev libprotobuf-c-dev libjansson-dev check
	postgresql-15 postgresql-client-15
	libxml2-utils time valgrind
	chromium fonts-dejavu-core
)
for arg in "$@"; do
	case "$arg" in
	--fuzz) packages+=(clang libclang-rt-14-dev) ;;
	--package) packages+=(debhelper lintian man-db dpkg-dev) ;;
	*) echo "usage: $0 [--fuzz] [--package]" >&2; exit 2 ;;
	esac
done

missing=()
for p in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
	echo "bootstrap: all ${#packages[@]} packages present" >&2
	exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
	echo "bootstrap: missing packages: ${missing[*]}" >&2
	echo "bootstrap: run: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi

echo "bootstrap: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "bootstrap: done" >&2
