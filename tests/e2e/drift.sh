#!/usr/bin/env bash
# drift.sh - the drift matrix. fixtures/drift/<case>/drift.sql is applied on
# top of the migrated Storytailor database; fixtures/drift/<case>/expected
# lists the findings it must produce, one "name object" per line. Every
# other drift finding is asserted absent (pg_dump's like/unlike matrix), and
# the exit code must say "findings" exactly when an error is expected.
. "$(dirname "$0")/lib.sh"
require_pg

fx="$PGDRIFT_SRC/fixtures"
mig="$fx/storytailor/migrations"
tpl=pgd_e2e_drift_tpl
fresh_db "$tpl" >/dev/null
tmp=$(mktemp -d)
cleanup() {
	dropdb --if-exists "$tpl" >/dev/null 2>&1
	dropdb --if-exists pgd_e2e_drift_case >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
"$PGDRIFT_SRC/scripts/apply-migrations.sh" --stub "$fx/supabase/stub.sql" "$tpl" "$mig" ||
	bail "the Storytailor fixture does not apply"

# the clean database first: no drift at all, exit 0
"$PGDRIFT" check --migrations "$mig" --db "dbname=$tpl" --format json -o "$tmp/clean.json" 2>"$tmp/clean.err"
is "$?" 0 "a freshly migrated database passes the gate"
clean=$(python3 - "$tmp/clean.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print("\n".join(f"{f['name']} {f['object']}" for f in r["findings"] if f["category"] == "drift"))
PY
)
is "$clean" "" "a freshly migrated database has no drift finding"
server=$(psql -X -Atqc 'show server_version' -d postgres | cut -d' ' -f1)
got=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["database"]["server_version"])' "$tmp/clean.json")
is "$got" "$server" "the report names the server it read (PostgreSQL $server)"

ncases=0
for dir in "$fx"/drift/*/; do
	[[ -f "$dir/drift.sql" ]] || continue
	name=$(basename "$dir")
	ncases=$((ncases + 1))
	db=pgd_e2e_drift_case
	dropdb --if-exists "$db" >/dev/null 2>&1
	createdb -T "$tpl" "$db" || bail "createdb from template failed"
	if ! psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f "$dir/drift.sql" >"$tmp/apply.out" 2>&1; then
		ok 1 "$name: drift.sql applies"
		diag "$(cat "$tmp/apply.out")"
		continue
	fi
	rc=0
	"$PGDRIFT" check --migrations "$mig" --db "dbname=$db" --format json \
		-o "$tmp/$name.json" 2>"$tmp/$name.err" || rc=$?
	got=$(python3 - "$tmp/$name.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print("\n".join(sorted(f"{f['name']} {f['object']}" for f in r["findings"] if f["category"] == "drift")))
PY
)
	want=$(grep -v '^#' "$dir/expected" | sed '/^$/d' | LC_ALL=C sort)
	is "$got" "$want" "$name: exactly the expected findings"
	errors=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["by_severity"]["error"])' "$tmp/$name.json")
	if ((errors > 0)); then
		is "$rc" 1 "$name: exit 1 (findings at or above error)"
	else
		is "$rc" 0 "$name: exit 0 (no error-level finding)"
	fi
	dropdb --if-exists "$db" >/dev/null 2>&1
done
ok $((ncases < 30)) "at least 30 drift cases ran ($ncases)"
done_testing
