#!/usr/bin/env bash
# history.sh - pgdrift history (and check's history category) against a
# database migrated and recorded the way the Supabase CLI records it
# (scripts/apply-migrations.sh --record: supabase_migrations.schema_migrations
# with each file's statements split by scripts/supabase-record.pl, an
# implementation independent of pgdrift's). One case per finding, each
# asserting the exact history findings and the exit code; then a hostile
# table and file name, and the Flyway, dbmate and golang-migrate tables.
. "$(dirname "$0")/lib.sh"
require_pg

fx="$PGDRIFT_SRC/fixtures"
mig="$fx/storytailor/migrations"
tpl=pgd_e2e_hist_tpl
db=pgd_e2e_hist
tmp=$(mktemp -d)
cleanup() {
	dropdb --if-exists "$tpl" >/dev/null 2>&1
	dropdb --if-exists "$db" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
fresh_db "$tpl" >/dev/null
"$PGDRIFT_SRC/scripts/apply-migrations.sh" --stub "$fx/supabase/stub.sql" --record \
	"$tpl" "$mig" 2>"$tmp/apply.err" || { cat "$tmp/apply.err"; bail "the Storytailor fixture does not apply"; }

# reset: a fresh copy of the recorded database
reset() {
	dropdb --if-exists "$db" >/dev/null 2>&1
	createdb -T "$tpl" "$db" || bail "createdb from template failed"
}
sql() { psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "$1" >/dev/null || bail "sql failed: $1"; }

# hist [ARGS...]: runs pgdrift history --format json; sets $rc and $got (the
# history findings as "name object", sorted), the PGD303 ones left out
# unless KEEP_DUP=1 (the fixture's seven shared versions are always there).
hist() {
	rc=0
	"$PGDRIFT" history --format json -o "$tmp/h.json" "$@" 2>"$tmp/h.err" || rc=$?
	got=$(KEEP_DUP=${KEEP_DUP:-} python3 - "$tmp/h.json" <<'PY'
import json, os, sys
try:
    r = json.load(open(sys.argv[1]))
except Exception as e:
    print("unreadable report:", e); sys.exit()
keep = os.environ.get("KEEP_DUP")
print("\n".join(sorted(f"{f['name']} {f['object']}" for f in r["findings"]
      if f["category"] == "history" and (keep or f["code"] != "PGD303"))))
PY
)
}

dup_files="migration_duplicate_version 20240101000005_smart_home_integration.sql
migration_duplicate_version 20240101000006_library_insights_tables.sql
migration_duplicate_version 20240101000007_self_healing_system.sql
migration_duplicate_version 20240101000008_conversation_interruption_handling.sql
migration_duplicate_version 20240101000009_webhook_registrations.sql
migration_duplicate_version 20240101000011_group_storytelling.sql
migration_duplicate_version 20240101000013_localization_and_cultural_adaptation.sql"

# ---- clean: every file recorded, statements equal to pgdrift's split
reset
n=$(psql -X -Atqd "$db" -c 'select count(*) from supabase_migrations.schema_migrations')
is "$n" 19 "the recorder keeps one row per version (26 files, 19 versions)"
KEEP_DUP=1 hist --migrations "$mig" --db "dbname=$db"
is "$rc" 0 "clean: exit 0"
is "$got" "$dup_files" "clean: only the seven shared versions, each naming the file not recorded"
msg=$(python3 -c 'import json,sys; print([f["message"] for f in json.load(open(sys.argv[1]))["findings"] if f["object"].startswith("20240101000005")][0])' "$tmp/h.json")
like "$msg" "records it once, as 20240101000005_character_library_association.sql" \
	"duplicate: says which file the history holds"
rc=0
"$PGDRIFT" check --migrations "$mig" --db "dbname=$db" --format json -o "$tmp/c.json" 2>"$tmp/c.err" || rc=$?
is "$rc" 0 "clean: check exits 0 with the history compared"
n=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["by_category"]["history"])' "$tmp/c.json")
is "$n" 7 "check: the history findings are in category history"
# check reads the history on the catalog's first connection, in its snapshot
"$PGDRIFT" check --migrations "$mig" --db "dbname=$db" --verbose -o /dev/null 2>"$tmp/cv.err" || true
is "$(grep -c 'connected to PostgreSQL' "$tmp/cv.err")" 1 "check: one connection is opened for the catalog and the history"
like "$(cat "$tmp/cv.err")" "query history_rows" "check: the history rows are read"

# ---- unapplied: the newest row deleted
reset
sql "delete from supabase_migrations.schema_migrations where version = '20240101000018'"
hist --migrations "$mig" --db "dbname=$db"
is "$got" "migration_unapplied 20240101000018_api_keys_and_webhooks.sql" "unapplied: exactly the file whose row is gone"
is "$rc" 0 "unapplied: a warning (pending), exit 0"
hist --migrations "$mig" --db "dbname=$db" --fail-on warning
is "$rc" 1 "unapplied: exit 1 with --fail-on warning"

# ---- out of order: a middle row deleted
reset
sql "delete from supabase_migrations.schema_migrations where version = '20240101000003'"
hist --migrations "$mig" --db "dbname=$db"
is "$got" "migration_out_of_order 20240101000003_auth_agent_tables.sql" "out of order: the file older than the newest applied version"
is "$rc" 1 "out of order: an error, exit 1"
like "$(cat "$tmp/h.json")" 'supabase db push --include-all' "out of order: the remediation names the CLI's way"

# ---- unknown: a row no file has
reset
sql "insert into supabase_migrations.schema_migrations (version, name, statements) values ('20250101000000', 'hotfix_from_laptop', '{\"select 1\"}')"
hist --migrations "$mig" --db "dbname=$db"
is "$got" "migration_unknown version 20250101000000 (hotfix_from_laptop)" "unknown: the applied version with no file"
is "$rc" 1 "unknown: exit 1"
# and unapplied + unknown at once: a file renamed to a new version
mkdir -p "$tmp/ren"
cp "$mig"/*.sql "$tmp/ren/"
mv "$tmp/ren/20240101000018_api_keys_and_webhooks.sql" "$tmp/ren/20240101000019_api_keys_and_webhooks.sql"
reset
hist --migrations "$tmp/ren" --db "dbname=$db"
is "$got" "migration_unapplied 20240101000019_api_keys_and_webhooks.sql
migration_unknown version 20240101000018 (api_keys_and_webhooks)" "renamed version: one unapplied, one unknown"
# the HTML report's history table, and SARIF locates the file-less unknown
"$PGDRIFT" history --migrations "$tmp/ren" --db "dbname=$db" --format html:"$tmp/h.html" \
	--format sarif:"$tmp/h.sarif" 2>/dev/null
rows=$(python3 - "$tmp/h.html" <<'PY'
import re, sys
page = open(sys.argv[1]).read()
table = re.search(r'<table class="history">(.*?)</table>', page, re.S)
rows = re.findall(r'<tr><th scope="row"><code>(.*?)</code></th><td>\w+</td><td><code>(PGD3\d\d)</code>',
                  table.group(1) if table else "")
print("\n".join(sorted(f"{c} {o}" for o, c in rows if c != "PGD303")))
PY
)
is "$rows" "PGD301 20240101000019_api_keys_and_webhooks.sql
PGD302 version 20240101000018 (api_keys_and_webhooks)" "html: the history table lists the unapplied file and the unknown version"
uri=$(python3 -c 'import json,sys
r = json.load(open(sys.argv[1]))["runs"][0]["results"]
print([x["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for x in r if x["ruleId"] == "PGD302"][0])' "$tmp/h.sarif")
like "$uri" "/ren\$" "sarif: the unknown version (no file) points at the migrations folder"

# ---- modified: one statement edited after it was applied
mkdir -p "$tmp/mod"
cp "$mig"/*.sql "$tmp/mod/"
f="$tmp/mod/20240101000001_rls_policies.sql"
line=$(grep -n 'create policy library_owner_write' "$f" | cut -d: -f1)
sed -i 's/create policy library_owner_write on public.libraries/create policy library_owner_write on public.libraries as permissive/' "$f"
reset
hist --migrations "$tmp/mod" --db "dbname=$db"
is "$got" "migration_modified 20240101000001_rls_policies.sql" "modified: exactly the edited file"
is "$rc" 1 "modified: exit 1"
msg=$(python3 -c 'import json,sys; f=[f for f in json.load(open(sys.argv[1]))["findings"] if f["code"] == "PGD305"][0]; print(f["message"], "@", f["source"]["line"], "@", f["expected"], "@", f["actual"])' "$tmp/h.json")
like "$msg" "statement 3 of 23 \\(line $line\\) differs .* @ $line @ create policy library_owner_write on public.libraries as permissive .* @ create policy library_owner_write on public.libraries for all" \
	"modified: names the statement, its line, the file's text and the recorded one"
# white space and the final ';' alone are not a modification
cp "$mig"/*.sql "$tmp/mod/"
sed -i 's/^  for all to authenticated$/      for all\n   to authenticated   /; s/;$/;;/' "$f"
cmp -s "$f" "$mig/20240101000001_rls_policies.sql"
ok $((! $?)) "modified: the file was really re-indented"
hist --migrations "$tmp/mod" --db "dbname=$db"
is "$got" "" "modified: re-indented and extra ';' is not a change"
is "$rc" 0 "modified: white space only, exit 0"
# a statement appended
cp "$mig"/*.sql "$tmp/mod/"
printf '\ncreate index idx_late on public.users (age);\n' >>"$f"
hist --migrations "$tmp/mod" --db "dbname=$db"
like "$(cat "$tmp/h.json")" 'statement 24 \(line [0-9]+\) was added' "modified: an appended statement"

# ---- the history table missing
reset
sql "drop schema supabase_migrations cascade"
hist --migrations "$mig" --db "dbname=$db"
is "$got" "migration_history_missing supabase_migrations.schema_migrations" "missing table: PGD300, not a silent pass"
is "$rc" 1 "missing table: pgdrift history fails (an error)"
rc=0
"$PGDRIFT" check --migrations "$mig" --db "dbname=$db" --format json -o "$tmp/c.json" 2>"$tmp/c.err" || rc=$?
is "$rc" 0 "missing table: check still runs and passes on drift"
sev=$(python3 -c 'import json,sys; print([f["severity"] for f in json.load(open(sys.argv[1]))["findings"] if f["code"] == "PGD300"])' "$tmp/c.json")
is "$sev" "['warning']" "missing table: check says so in the report (a warning)"
rc=0
"$PGDRIFT" check --migrations "$mig" --db "dbname=$db" --no-history --format json -o "$tmp/c.json" 2>/dev/null || rc=$?
n=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["by_category"]["history"])' "$tmp/c.json")
is "$n" 0 "--no-history: no history finding"
hist --migrations "$mig" --db "dbname=$db" --history-table 'no_such_schema.t'
is "$got" "migration_history_missing no_such_schema.t" "a named table that is missing"
is "$rc" 1 "a named table that is missing: exit 1"
hist --migrations "$mig" --db "dbname=$db" --history-table 'a.b.c.d'
is "$rc" 4 "an impossible table name: a database error, exit 4"
hist --migrations "$mig" --db "host=/nonexistent port=1 dbname=x connect_timeout=2"
is "$rc" 4 "no server: exit 4, no report"
hist --migrations "$tmp/none" --db "dbname=$db"
is "$rc" 2 "a missing migrations folder: exit 2"

# ---- hostile names: a history table and a migration file name
reset
mkdir -p "$tmp/host"
cp "$mig"/20240101000000_initial_schema.sql "$tmp/host/"
printf 'create table public.h1 (id int);\n' >"$tmp/host/20240101000001_a|b<c>&d\`e.sql"
psql -X -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null <<'SQL' || bail "hostile table"
create schema "odd ""schema""";
create table "odd ""schema"""."hist|<&>" (version text primary key, statements text[], name text);
insert into "odd ""schema"""."hist|<&>" (version, name, statements) values
 ('20240101000002', e'evil\n| <script>x</script> &amp;', '{"select 1"}');
SQL
hist --migrations "$tmp/host" --db "dbname=$db" --history-table '"odd ""schema"""."hist|<&>"'
is "$got" "migration_out_of_order 20240101000000_initial_schema.sql
migration_out_of_order 20240101000001_a|b<c>&d\`e.sql
migration_unknown version 20240101000002 (evil
| <script>x</script> &amp;)" "hostile: the exact findings, names intact in JSON"
"$PGDRIFT" history --migrations "$tmp/host" --db "dbname=$db" --history-table '"odd ""schema"""."hist|<&>"' \
	--format markdown:"$tmp/h.md" --format text:"$tmp/h.txt" 2>/dev/null
if grep -q '<script>\|a|b<c>' "$tmp/h.md"; then ok 1 "hostile: no raw HTML or pipe in Markdown"
else ok 0 "hostile: no raw HTML or pipe in Markdown"; fi
like "$(cat "$tmp/h.md")" 'a\\\|b&lt;c&gt;&amp;d\\`e\.sql' "hostile: the file name escaped in Markdown"
is "$(grep -c '^  error ' "$tmp/h.txt")" 3 "hostile: text keeps one line per finding (newline shown as \\n)"
like "$(cat "$tmp/h.txt")" '"odd ""schema"""\."hist\|<&>"' "hostile: the table named as PostgreSQL quotes it"

# ---- Flyway: flyway_schema_history in public
reset
sql "drop schema supabase_migrations cascade"
psql -X -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null <<'SQL' || bail "flyway table"
create table public.flyway_schema_history (installed_rank int primary key, version varchar(50),
  description varchar(200) not null, type varchar(20) not null, script varchar(1000) not null,
  checksum int, installed_by varchar(100) not null, installed_on timestamp not null default now(),
  execution_time int not null, success boolean not null);
insert into public.flyway_schema_history
select row_number() over (order by v), v, 'm' || v, 'SQL', 'V' || v || '__m.sql', 0, 'me', now(), 1, true
from unnest(array['20240101000000','20240101000001','20240101000002','20240101000003','20240101000004',
  '20240101000005','20240101000006','20240101000007','20240101000008','20240101000009','20240101000010',
  '20240101000011','20240101000012','20240101000013','20240101000014','20240101000015','20240101000016',
  '20240101000017']) v;
insert into public.flyway_schema_history values (19, '20240101000018', 'keys', 'SQL', 'x.sql', 0, 'me', now(), 1, false);
insert into public.flyway_schema_history values (20, null, 'views', 'SQL', 'R__views.sql', 0, 'me', now(), 1, true);
SQL
hist --migrations "$mig" --db "dbname=$db" --history-table flyway_schema_history
is "$got" "migration_unapplied 20240101000018_api_keys_and_webhooks.sql" "flyway: a failed migration (success = false) is not applied; repeatables ignored"
is "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["actual"])' "$tmp/h.json")" \
	"history table public.flyway_schema_history (flyway, 19 rows)" "flyway: recognised by its columns, the repeatable row left out"
like "$(cat "$tmp/h.json")" 'its attempt is recorded as failed' "flyway: the failed attempt is named"
sql "update public.flyway_schema_history set success = true where installed_rank = 19; delete from public.flyway_schema_history where installed_rank = 4"
hist --migrations "$mig" --db "dbname=$db" --history-table public.flyway_schema_history
is "$got" "migration_out_of_order 20240101000003_auth_agent_tables.sql" "flyway: a gap is out of order"
is "$rc" 1 "flyway: exit 1"

# ---- dbmate: schema_migrations (version varchar) in public
reset
psql -X -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null <<'SQL' || bail "dbmate table"
create table public.schema_migrations (version varchar(128) primary key);
insert into public.schema_migrations select distinct version from supabase_migrations.schema_migrations;
insert into public.schema_migrations values ('20240101000099');
delete from public.schema_migrations where version = '20240101000010';
SQL
hist --migrations "$mig" --db "dbname=$db" --history-table schema_migrations
is "$got" "migration_out_of_order 20240101000010_accessibility_framework.sql
migration_unknown version 20240101000099" "dbmate: the gap and the extra version"
is "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["actual"])' "$tmp/h.json")" \
	"history table public.schema_migrations (dbmate, 19 rows)" "dbmate: recognised by its one version column"

# ---- golang-migrate: one row, the newest version, and dirty
sql "create schema gm; create table gm.schema_migrations (version bigint primary key, dirty boolean not null); insert into gm.schema_migrations values (20240101000017, true)"
hist --migrations "$mig" --db "dbname=$db" --history-table gm.schema_migrations
is "$got" "migration_unapplied 20240101000017_monitoring_and_housekeeping.sql
migration_unapplied 20240101000018_api_keys_and_webhooks.sql" "golang-migrate: the dirty version and the one after"
is "$rc" 1 "golang-migrate: a dirty version is an error"
sql "update gm.schema_migrations set dirty = false, version = 20240101000018"
hist --migrations "$mig" --db "dbname=$db" --history-table gm.schema_migrations
is "$got" "" "golang-migrate: up to date"
is "$rc" 0 "golang-migrate: exit 0"

done_testing
