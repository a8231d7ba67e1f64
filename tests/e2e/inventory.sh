#!/usr/bin/env bash
# inventory.sh - pgdrift inventory --db: against a freshly migrated
# Storytailor database every table is verified; after one table drifts, that
# table (and only that one) is marked drifted and linked to its findings, in
# Markdown and in JSON; --fail-on applies to the drift findings.
. "$(dirname "$0")/lib.sh"
require_pg

fx="$PGDRIFT_SRC/fixtures"
mig="$fx/storytailor/migrations"
tmp=$(mktemp -d)
db=$(fresh_db pgd_e2e_inventory)
trap 'dropdb --if-exists "$db" >/dev/null 2>&1; rm -rf "$tmp"' EXIT
"$PGDRIFT_SRC/scripts/apply-migrations.sh" --stub "$fx/supabase/stub.sql" "$db" "$mig" ||
	bail "the Storytailor fixture does not apply"

status() { # status FILE.json -> "verified N drifted M: names"
	python3 - "$1" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
st = [t["status"] for t in r["tables"]]
drifted = [t["schema"] + "." + t["name"] for t in r["tables"] if t["status"] == "drifted"]
print(f"verified {st.count('verified')} drifted {st.count('drifted')}: {' '.join(drifted)}")
PY
}

rc=0
"$PGDRIFT" inventory --migrations "$mig" --db "dbname=$db" --format json -o "$tmp/clean.json" 2>/dev/null || rc=$?
is "$rc" 0 "clean: exit 0"
is "$(status "$tmp/clean.json")" "verified 134 drifted 0: " "clean: all 134 tables verified against the database"

# one table drifts: only it is marked
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c 'drop index public.idx_stories_status' >/dev/null ||
	bail "drift does not apply"
rc=0
"$PGDRIFT" inventory --migrations "$mig" --db "dbname=$db" --format json -o "$tmp/one.json" 2>/dev/null || rc=$?
is "$(status "$tmp/one.json")" "verified 133 drifted 1: public.stories" "one table drifted: it alone is marked drifted, 133 verified"
is "$rc" 0 "one table drifted: a missing index is a warning, exit 0"

# a second one, with an error
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c 'alter table public.users alter column age type bigint' >/dev/null ||
	bail "drift does not apply"
rc=0
"$PGDRIFT" inventory --migrations "$mig" --db "dbname=$db" --format json -o "$tmp/d.json" 2>/dev/null || rc=$?
is "$(status "$tmp/d.json")" "verified 132 drifted 2: public.stories public.users" "drift: exactly the two tables drifted, the others verified"
is "$rc" 1 "drift: a column type error fails at --fail-on error (exit 1)"
codes=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(" ".join(f["code"] for t in r["tables"] for f in t["findings"]))' "$tmp/d.json")
is "$codes" "PGD131 PGD113" "drift: each drifted table carries its findings"
n=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["statistics"]["verified"], r["statistics"]["drifted"])' "$tmp/d.json")
is "$n" "132 2" "drift: the statistics count them"

rc=0
"$PGDRIFT" inventory --migrations "$mig" --db "dbname=$db" --fail-on none -o "$tmp/d.md" 2>/dev/null || rc=$?
is "$rc" 0 "--fail-on none: exit 0"
md=$(cat "$tmp/d.md")
like "$md" $'### public.stories\n' "markdown: the stories section"
like "$md" '\*\*Database:\*\* ❌ drifted: \[1 finding\]\(#drift-in-publicstories\)' "markdown: stories marked drifted, linked to its findings"
like "$md" '### Drift in public.stories' "markdown: the anchor target exists"
n=$(grep -c '^\*\*Database:\*\* ✅ verified$' "$tmp/d.md")
is "$n" 132 "markdown: the other 132 tables marked verified"
like "$md" 'index public.stories.idx\\_stories\\_status is missing' "markdown: the finding itself is listed"

rc=0
"$PGDRIFT" inventory --migrations "$mig" --db "host=/nonexistent port=1 dbname=x" -o "$tmp/x.md" 2>/dev/null || rc=$?
is "$rc" 4 "no database: exit 4"
rc=0
"$PGDRIFT" inventory --migrations "$mig" --format html 2>/dev/null || rc=$?
is "$rc" 2 "an unknown format: exit 2"

done_testing
