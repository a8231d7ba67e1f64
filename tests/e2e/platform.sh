#!/usr/bin/env bash
# platform.sh - the platform profile decides what a plain CREATE is granted.
# A database whose postgres role has Supabase's 2026 default privileges
# (new public tables not exposed) migrates cleanly under --platform-era
# 2026; the 2025 profile sees the missing grants and the changed default
# privileges instead. And the RLS review only calls an unreachable table
# without RLS info.
. "$(dirname "$0")/lib.sh"
require_pg

fx="$PGDRIFT_SRC/fixtures"
mig="$fx/platform/migrations"
tmp=$(mktemp -d)
db=$(fresh_db pgd_e2e_platform)
trap 'dropdb --if-exists "$db" >/dev/null 2>&1; rm -rf "$tmp"' EXIT
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f "$fx/supabase/stub.sql" >/dev/null || bail "stub"
# the 2026 era, as the CLI's auto_expose_new_tables = false leaves it
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "alter default privileges for role postgres
  in schema public revoke select, insert, update, delete on tables
  from anon, authenticated, service_role" >/dev/null || bail "2026 defaults"
"$PGDRIFT_SRC/scripts/apply-migrations.sh" "$db" "$mig" || bail "migrations"

names() { # names JSONFILE CATEGORY -> "name object" lines, sorted
	python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
print("\n".join(sorted(f["name"] + " " + str(f["object"]) for f in r["findings"]
                       if f["category"] == sys.argv[2])))' "$1" "$2"
}

rc=0
"$PGDRIFT" check --platform-era 2026 --migrations "$mig" --db "dbname=$db" --no-history \
	--format json -o "$tmp/2026.json" 2>"$tmp/err" || rc=$?
is "$(names "$tmp/2026.json" drift)" "" "era 2026: a freshly migrated 2026 project has no drift"
like "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["expected"])' "$tmp/2026.json")" \
	"platform supabase, era 2026" "the report names the profile and era"

"$PGDRIFT" check --migrations "$mig" --db "dbname=$db" --no-history \
	--format json -o "$tmp/2025.json" 2>/dev/null
want="default_privileges_changed postgres in public TABLES
grant_missing public.internal_jobs
grant_missing public.internal_jobs
grant_missing public.internal_jobs
grant_missing public.notes
grant_missing public.notes
grant_missing public.notes"
is "$(names "$tmp/2025.json" drift)" "$want" "era 2025 on a 2026 project: the missing grants and the default privileges"

like "$(python3 -c '
import json, sys
print([f["message"] for f in json.load(open(sys.argv[1]))["findings"]
       if f["name"] == "default_privileges_changed"][0])' "$tmp/2025.json")" \
	"--platform-era 2026\\?" "PGD198 names the era the database matches"

# RLS: internal_jobs has RLS off, but no API role may read or write it
sev=$(python3 -c '
import json, sys
print(" ".join(f["severity"] for f in json.load(open(sys.argv[1]))["findings"]
               if f["name"] == "rls_table_without_rls"))' "$tmp/2026.json")
is "$sev" "info" "era 2026: RLS off on a table no API role can reach is info"
sev=$(python3 -c '
import json, sys
print(" ".join(f["severity"] for f in json.load(open(sys.argv[1]))["findings"]
               if f["name"] == "rls_table_without_rls"))' "$tmp/2025.json")
is "$sev" "info" "the review reads the database's grants, whatever the profile"

"$PGDRIFT" expected --platform-era 2026 --migrations "$mig" >"$tmp/exp" 2>"$tmp/exp.err"
like "$(cat "$tmp/exp.err")" "expected: platform supabase, era 2026" "pgdrift expected names the profile"
like "$(cat "$tmp/exp")" "grant table public.notes authenticated SELECT, TRUNCATE, REFERENCES, TRIGGER" \
	"era 2026: a granted table holds the grant and the privileges the era leaves"
rc=0
"$PGDRIFT" expected --platform-era 2027 --migrations "$mig" >/dev/null 2>&1 || rc=$?
is "$rc" 2 "an unknown era is a usage error"
done_testing
