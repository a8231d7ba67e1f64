#!/usr/bin/env bash
# apply-migrations.sh - apply a migration folder to a database the way a
# migration runner does: each file in its own transaction, stopping at the
# first error, in pgdrift's order (leading version digits numerically, ties
# by file name).
#
#   scripts/apply-migrations.sh [--stub FILE] [--record] DBNAME DIR
#
# --stub FILE is applied first (e.g. fixtures/supabase/stub.sql). Connection
# settings come from the libpq environment (PGHOST, PGPORT, PGUSER, ...).
#
# --record keeps the history the way the Supabase CLI does: it creates
# supabase_migrations.schema_migrations (version text primary key,
# statements text[], name text) and inserts each file's row in the file's
# own transaction (scripts/supabase-record.pl splits the statements as the
# CLI does). A file whose version is already recorded is applied but not
# recorded, with a note: the CLI itself would stop there on the primary key,
# so a project with duplicate versions applied the second file some other
# way (the SQL editor), which records nothing.
set -euo pipefail

stub=
record=
while [[ "${1:-}" == --* ]]; do
	case "$1" in
	--stub) stub=${2:?--stub needs a file}; shift 2 ;;
	--record) record=1; shift ;;
	*) echo "apply-migrations: unknown option $1" >&2; exit 2 ;;
	esac
done
(($# == 2)) || { echo "usage: $0 [--stub FILE] [--record] DBNAME DIR" >&2; exit 2; }
db=$1
dir=$2
here=$(cd "$(dirname "$0")" && pwd)
declare -A recorded=()

run() {
	psql -X -q -v ON_ERROR_STOP=1 --single-transaction -d "$db" -f "$1" >/dev/null ||
		{ echo "apply-migrations: failed in $1" >&2; exit 1; }
}

# run_recorded FILE: the file and its history row in one transaction
run_recorded() {
	local f=$1 base version
	base=$(basename "$f")
	if [[ ! "$base" =~ ^([0-9]+)_.*\.sql$ ]]; then
		run "$f"
		return
	fi
	version=${BASH_REMATCH[1]}
	if [[ -n "${recorded[$version]:-}" ]]; then
		echo "apply-migrations: note: $base shares version $version with ${recorded[$version]}: applied, not recorded" >&2
		run "$f"
		return
	fi
	recorded[$version]=$base
	psql -X -q -v ON_ERROR_STOP=1 --single-transaction -d "$db" -f "$f" \
		-f <(perl "$here/supabase-record.pl" "$f") >/dev/null ||
		{ echo "apply-migrations: failed in $f" >&2; exit 1; }
}

[[ -n "$stub" ]] && run "$stub"
if [[ -n "$record" ]]; then
	psql -X -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null <<-'SQL' ||
		CREATE SCHEMA IF NOT EXISTS supabase_migrations;
		CREATE TABLE IF NOT EXISTS supabase_migrations.schema_migrations (version text NOT NULL PRIMARY KEY);
		ALTER TABLE supabase_migrations.schema_migrations ADD COLUMN IF NOT EXISTS statements text[];
		ALTER TABLE supabase_migrations.schema_migrations ADD COLUMN IF NOT EXISTS name text;
	SQL
		{ echo "apply-migrations: cannot create the history table" >&2; exit 1; }
fi
# <version>_<name>.sql only (the Supabase CLI's layout): file name byte
# order, as the CLI applies them (os.ReadDir); else version digits first
# (numerically), then the whole name, as pgdrift replays other layouts
if find "$dir" -maxdepth 1 -type f -name '*.sql' ! -name '*.down.sql' -printf '%f\n' |
	grep -qv -E '^[0-9]' ||
	find "$dir" -maxdepth 1 -type f -name '*.up.sql' | grep -q .; then
	order() { sed -E 's/^([0-9]*)(.*)$/\1\t\1\2/' |
		LC_ALL=C sort -t "$(printf '\t')" -k1,1n -k2,2 | cut -f2; }
else
	order() { LC_ALL=C sort; }
fi
find "$dir" -maxdepth 1 -type f -name '*.sql' ! -name '*.down.sql' -printf '%f\n' |
	order |
	while IFS= read -r f; do
		if [[ -n "$record" ]]; then run_recorded "$dir/$f"; else run "$dir/$f"; fi
	done
