#!/usr/bin/env bash
# valgrind.sh - one full audit (replay of the Storytailor migrations,
# catalog read, diff, RLS review, all three report formats) under valgrind
# memcheck: no invalid access, no use of uninitialised memory, nothing
# definitely or indirectly lost.
. "$(dirname "$0")/lib.sh"
if [[ -n "${PGDRIFT_SANITIZED:-}" ]]; then
	# meson's TAP protocol takes a zero plan with SKIP and exit 0 as skipped
	echo "1..0 # SKIP valgrind cannot run an AddressSanitizer build; the plain build runs this test"
	exit 0
fi
require_pg
command -v valgrind >/dev/null || bail "valgrind is not installed (scripts/bootstrap.sh installs it)"

fx="$PGDRIFT_SRC/fixtures"
tmp=$(mktemp -d)
db=$(fresh_db pgd_e2e_valgrind)
trap 'dropdb --if-exists "$db" >/dev/null 2>&1; rm -rf "$tmp"' EXIT
"$PGDRIFT_SRC/scripts/apply-migrations.sh" --stub "$fx/supabase/stub.sql" "$db" "$fx/storytailor/migrations" ||
	bail "fixture"
psql -X -q -d "$db" -f "$fx/demo/hotfix.sql" >/dev/null

rc=0
valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
	--log-file="$tmp/vg.log" "$PGDRIFT" check --migrations "$fx/storytailor/migrations" \
	--db "dbname=$db" --rls-matrix --format text:"$tmp/r.txt" --format json:"$tmp/r.json" \
	--format markdown:"$tmp/r.md" 2>/dev/null || rc=$?
is "$rc" 1 "under valgrind: the audit completes with its findings (exit 1, not 99)"
if [[ -s "$tmp/vg.log" ]]; then
	ok 1 "valgrind reports nothing"
	diag "$(head -40 "$tmp/vg.log")"
else
	ok 0 "valgrind reports nothing"
fi
done_testing
