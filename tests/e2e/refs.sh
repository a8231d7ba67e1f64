#!/usr/bin/env bash
# refs.sh - pgdrift refs against a live database: the fixture app
# (fixtures/refs/app) checked with --db reports exactly
# fixtures/refs/expected; with --migrations and --db both, a finding one
# side only has says which; --client-glob changes who a file runs as;
# bad arguments are usage errors.
. "$(dirname "$0")/lib.sh"
require_pg

fx="$PGDRIFT_SRC/fixtures/refs"
tmp=$(mktemp -d)
db=$(fresh_db pgd_e2e_refs)
cleanup() {
	dropdb --if-exists "$db" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f "$PGDRIFT_SRC/fixtures/supabase/stub.sql" >/dev/null ||
	bail "stub"
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f "$fx/migrations/"*.sql >/dev/null || bail "migrations"
# the exposed schemas: from this database's setting for --db alone, from
# --exposed-schema where the migrations are a side
psql -X -q -d "$db" -c "alter database $db set pgrst.db_schemas = 'public, api'" >/dev/null
exposed=(--exposed-schema public --exposed-schema api)

findings() { # findings JSONFILE -> "name object file:line" lines
	python3 -c '
import json, sys
for f in json.load(open(sys.argv[1]))["findings"]:
    src = f["source"]
    # an unused table points at its migration, which a database lacks
    loc = "-" if f["name"] == "ref_unused_table" else "%s:%d" % (src["file"], src["line"])
    print(f["name"], f["object"] or "-", loc)' "$1"
}
want=$(grep -v '^#' "$fx/expected" |
	awk '$1 == "ref_unused_table" { $3 = "-" } { print }')

cd "$PGDRIFT_SRC" || bail "cd"
rc=0
"$PGDRIFT" refs --code fixtures/refs/app --db "dbname=$db" --format json \
	-o "$tmp/db.json" 2>"$tmp/db.err" || rc=$?
is "$rc" 1 "refs --db: exit 1 (error findings)"
is "$(findings "$tmp/db.json")" "$want" "refs --db: exactly the expected findings at their file:line"
like "$(cat "$tmp/db.err")" "legacy\\.js: note: skipped: not UTF-8 text" \
	"a file that is not UTF-8 is skipped with a note on stderr"
like "$(cat "$tmp/db.err")" "note: skipped: 1 \\.vue file \\(a language pgdrift does not scan" \
	"code in a language the scanner does not read is counted in a note"
like "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["by_category"]["refs"])' "$tmp/db.json")" \
	"^16$" "JSON counts the findings under category refs"

rc=0
"$PGDRIFT" refs --code fixtures/refs/app --migrations fixtures/refs/migrations \
	--db "dbname=$db" "${exposed[@]}" --format json -o "$tmp/both.json" 2>/dev/null || rc=$?
is "$rc" 1 "refs --migrations --db: exit 1"
is "$(python3 -c 'import json,sys; print(sum(" only)" in f["message"] for f in json.load(open(sys.argv[1]))["findings"]))' "$tmp/both.json")" \
	"0" "both sides agree: no finding is marked as one side's only"
is "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["unmodeled"])' "$tmp/both.json")" \
	"0" "refs --migrations: the report says how complete the replay was (0 not modeled)"

# drift: RLS switched on in the database only
psql -X -q -d "$db" -c "alter table public.notes enable row level security" >/dev/null
"$PGDRIFT" refs --code fixtures/refs/app --migrations fixtures/refs/migrations \
	--db "dbname=$db" "${exposed[@]}" --format json -o "$tmp/drift.json" 2>/dev/null
msgs=$(python3 -c '
import json, sys
for f in json.load(open(sys.argv[1]))["findings"]:
    if f["object"] == "public.notes":
        print(f["name"], f["message"].rsplit("(", 1)[-1])' "$tmp/drift.json")
like "$msgs" "ref_client_open_table migrations only\\)" \
	"RLS off in the migrations only: the open table is the migrations' finding"
like "$msgs" "ref_operation_without_policy database only\\)" \
	"RLS on without a policy in the database only: denied is the database's finding"
psql -X -q -d "$db" -c "alter table public.notes disable row level security" >/dev/null

# --client-glob: the server folder taken as client code
"$PGDRIFT" refs --code fixtures/refs/app --db "dbname=$db" --client-glob 'web/server/**' \
	--format json -o "$tmp/glob.json" 2>/dev/null
got=$(findings "$tmp/glob.json" | grep 'admin\.ts' | grep -v tagz)
is "$got" "ref_operation_without_policy public.leads fixtures/refs/app/web/server/admin.ts:12
ref_client_open_table public.notes fixtures/refs/app/web/server/admin.ts:13" \
	"--client-glob makes the service-role file client code"

# markdown marks the commands the code issues in the RLS matrix
md=$("$PGDRIFT" refs --code fixtures/refs/app --db "dbname=$db" --format markdown 2>/dev/null)
like "$md" "\\| public\\.leads \\| on \\| [^|]*\\*\\*used\\*\\* \\|" \
	"the Markdown matrix marks the commands the code issues"

# inventory --code
"$PGDRIFT" inventory --migrations fixtures/refs/migrations --code fixtures/refs/app \
	--format json -o "$tmp/inv.json" 2>/dev/null
is "$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
t = [t for t in d["tables"] if t["name"] == "leads"][0]
print(len(t["used_by"]), d["statistics"]["tables_used_by_code"])' "$tmp/inv.json")" "4 9" \
	"inventory --code: used_by per table"

rc=0; "$PGDRIFT" refs --db "dbname=$db" >/dev/null 2>&1 || rc=$?
is "$rc" 2 "refs without --code is a usage error"
rc=0; "$PGDRIFT" refs --code "$tmp/nope" --db "dbname=$db" >/dev/null 2>&1 || rc=$?
is "$rc" 2 "an unreadable --code folder is a usage error"
rc=0; "$PGDRIFT" refs --code fixtures/refs/app --db "dbname=${db}_missing" >/dev/null 2>&1 || rc=$?
is "$rc" 4 "a database that cannot be read is exit 4, no report"

done_testing
