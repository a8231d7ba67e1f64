#!/usr/bin/env bash
# apply-migrations.sh - apply a migration folder to a database the way a
# migration runner does: each file in its own transaction, stopping at the
# first error, in pgdrift's order (leading version digits numerically, ties
# by file name).
#
#   scripts/apply-migrations.sh [--stub FILE] DBNAME DIR
#
# --stub FILE is applied first (e.g. fixtures/supabase/stub.sql). Connection
# settings come from the libpq environment (PGHOST, PGPORT, PGUSER, ...).
set -euo pipefail

stub=
while [[ "${1:-}" == --* ]]; do
	case "$1" in
	--stub) stub=${2:?--stub needs a file}; shift 2 ;;
	*) echo "apply-migrations: unknown option $1" >&2; exit 2 ;;
	esac
done
(($# == 2)) || { echo "usage: $0 [--stub FILE] DBNAME DIR" >&2; exit 2; }
db=$1
dir=$2

run() {
	psql -X -q -v ON_ERROR_STOP=1 --single-transaction -d "$db" -f "$1" >/dev/null ||
		{ echo "apply-migrations: failed in $1" >&2; exit 1; }
}

[[ -n "$stub" ]] && run "$stub"
# version digits first (numerically), then the whole name
find "$dir" -maxdepth 1 -type f -name '*.sql' ! -name '*.down.sql' -printf '%f\n' |
	sed -E 's/^([0-9]*)(.*)$/\1\t\1\2/' |
	LC_ALL=C sort -t "$(printf '\t')" -k1,1n -k2,2 | cut -f2 |
	while IFS= read -r f; do run "$dir/$f"; done
