#!/usr/bin/env bash
# rls.sh - the RLS review on a live database and on the migrations:
# fixtures/rls/schema.sql holds one object per rule and a safe look-alike
# beside each; fixtures/rls/expected lists every finding. Then the exposed
# schemas are read from pgrst.db_schemas, and an API role with BYPASSRLS
# is caught.
. "$(dirname "$0")/lib.sh"
require_pg

fx="$PGDRIFT_SRC/fixtures"
tmp=$(mktemp -d)
db=$(fresh_db pgd_e2e_rls)
cleanup() {
	psql -X -q -d postgres -c "alter role anon nobypassrls" >/dev/null 2>&1
	dropdb --if-exists "$db" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f "$fx/supabase/stub.sql" >/dev/null || bail "stub"
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f "$fx/rls/schema.sql" >/dev/null || bail "schema"

findings() { # findings JSONFILE -> "name object" lines, sorted
	python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
print("\n".join(sorted(f["name"] + " " + str(f["object"]) for f in r["findings"])))' "$1"
}
want=$(grep -v '^#' "$fx/rls/expected" | LC_ALL=C sort)

rc=0
"$PGDRIFT" rls --db "dbname=$db" --format json -o "$tmp/live.json" || rc=$?
is "$rc" 1 "live review: exit 1 (error-level findings)"
is "$(findings "$tmp/live.json" | LC_ALL=C sort)" "$want" "live review: exactly the expected findings"

cell() { # cell TABLE COMMAND ROLE
	python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
for t in r["coverage_matrix"]["tables"]:
    if t["table"] == sys.argv[2]:
        c = t["access"][sys.argv[3]][sys.argv[4]]
        print(c["access"] + ("" if c["policies"] is None else " " + c["policies"]))' "$tmp/live.json" "$@"
}
is "$(cell public.t_no_rls SELECT anon)" "OPEN" "matrix: a table without RLS is open to anon"
is "$(cell public.t_true_select SELECT anon)" "all rows t_true_select_any" "matrix: an always-true policy opens every row"
is "$(cell public.t_ok SELECT authenticated)" "policy t_ok_own" "matrix: a guarded table names its policy"
is "$(cell public.t_ok SELECT anon)" "denied" "matrix: no policy for anon is denied"
is "$(cell public.t_ok INSERT public)" "no grant" "matrix: PUBLIC holds no grant"
like "$(python3 -c 'import json,sys; print([f["message"] for f in json.load(open(sys.argv[1]))["findings"] if f["object"] == "public.t_no_rls"][0])' "$tmp/live.json")" \
	"^CRITICAL: .*anon holds privileges" "a table without RLS that the API roles can reach is CRITICAL"
sev() { # sev JSONFILE OBJECT NAME -> the severity of that finding
	python3 -c '
import json, sys
print(" ".join(f["severity"] for f in json.load(open(sys.argv[1]))["findings"]
               if f["object"] == sys.argv[2] and f["name"] == sys.argv[3]))' "$@"
}
is "$(sev "$tmp/live.json" public.t_no_rls_member rls_table_without_rls)" "error" \
	"PGD201: a grant through a role authenticated is a member of is an error"
is "$(sev "$tmp/live.json" public.t_no_rls_unreachable rls_table_without_rls)" "info" \
	"PGD201: no API role holds a privilege: info only"
is "$(sev "$tmp/live.json" public.t_colgrant.id rls_column_grant)" "info" \
	"PGD214 is informational"
is "$(cell public.t_colgrant SELECT anon)" "denied" "matrix: a column grant reaches the table (no anon policy)"
is "$(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
for t in r["coverage_matrix"]["tables"]:
    if t["table"] == "public.t_colgrant":
        print(t["access"]["SELECT"]["anon"].get("columns", False))' "$tmp/live.json")" "True" \
	"matrix: the column-level grant is marked"
is "$(cell public.t_no_rls_unreachable SELECT anon)" "no grant" "matrix: no privilege is shown as no grant"
like "$("$PGDRIFT" rls --db "dbname=$db" 2>/dev/null)" "RLS coverage \\(exposed schemas: public, assumed\\)" \
	"the text report says the exposed schemas were assumed"

# the same review from the migrations alone, before deploy
mkdir -p "$tmp/mig" && cp "$fx/rls/schema.sql" "$tmp/mig/0001_rls.sql"
"$PGDRIFT" rls --migrations "$tmp/mig" --format json -o "$tmp/mig.json" 2>/dev/null
is "$(findings "$tmp/mig.json" | LC_ALL=C sort)" "$want" "review from the migrations finds the same"

# exposed schemas come from pgrst.db_schemas
psql -X -q -d "$db" -c "alter database $db set pgrst.db_schemas = 'public, private'" >/dev/null
"$PGDRIFT" rls --db "dbname=$db" --format json -o "$tmp/exposed.json" 2>/dev/null
got=$(findings "$tmp/exposed.json")
like "$got" "rls_table_without_rls private.t_hidden" "a schema listed in pgrst.db_schemas is reviewed"
if grep -q rls_exposed_schemas_assumed <<<"$got"; then
	ok 1 "with the setting present, nothing is assumed"
else
	ok 0 "with the setting present, nothing is assumed"
fi
"$PGDRIFT" rls --db "dbname=$db" --exposed-schema public --format json -o "$tmp/flag.json" 2>/dev/null
if grep -q "private.t_hidden" <(findings "$tmp/flag.json"); then
	ok 1 "--exposed-schema overrides the setting"
else
	ok 0 "--exposed-schema overrides the setting"
fi

# an API role that bypasses RLS
psql -X -q -d postgres -c "alter role anon bypassrls" >/dev/null
"$PGDRIFT" rls --db "dbname=$db" --format json -o "$tmp/bypass.json" 2>/dev/null
like "$(findings "$tmp/bypass.json")" "rls_bypass_role anon" "anon with BYPASSRLS is reported"
psql -X -q -d postgres -c "alter role anon nobypassrls" >/dev/null

# inside check, the review runs on the database with category rls
"$PGDRIFT" check --migrations "$tmp/mig" --db "dbname=$db" --format json -o "$tmp/check.json" 2>/dev/null
n=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["by_category"]["rls"])' "$tmp/check.json")
ok $((n < 10)) "check runs the RLS review too ($n rls findings)"
done_testing
