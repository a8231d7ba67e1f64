#!/usr/bin/env bash
# fixture_apply.sh - the Storytailor fixture applies cleanly to PostgreSQL 15
# (stub first, then each migration in its own transaction with
# ON_ERROR_STOP) and holds every table the seed document names, with RLS
# exactly as fixtures/storytailor/expected-tables.tsv says.
. "$(dirname "$0")/lib.sh"
require_pg

fx="$PGDRIFT_SRC/fixtures/storytailor"
db=$(fresh_db pgd_e2e_fixture_apply)
trap 'dropdb --if-exists "$db" >/dev/null 2>&1' EXIT

out=$("$PGDRIFT_SRC/scripts/apply-migrations.sh" --stub "$PGDRIFT_SRC/fixtures/supabase/stub.sql" \
	"$db" "$fx/migrations" 2>&1)
ok $? "stub and all migrations apply with ON_ERROR_STOP"
[[ -n "$out" ]] && diag "$out"

nfiles=$(find "$fx/migrations" -name '*.sql' | wc -l)
is "$nfiles" 26 "the fixture has 26 migration files"

actual=$(psql -X -Atq -d "$db" -F $'\t' -c "
	select c.relname, case when c.relrowsecurity then 'on' else 'off' end
	from pg_class c join pg_namespace n on n.oid = c.relnamespace
	where n.nspname = 'public' and c.relkind in ('r', 'p')
	order by c.relname collate \"C\"")
expected=$(LC_ALL=C sort "$fx/expected-tables.tsv")
is "$actual" "$expected" "public tables and their RLS flags match expected-tables.tsv"

missing=0
while IFS= read -r t; do
	if ! grep -q "^$t	" <<<"$actual"; then
		diag "seed table missing: $t"
		missing=$((missing + 1))
	fi
done <"$fx/seed-tables.txt"
is "$missing" 0 "every one of the $(wc -l <"$fx/seed-tables.txt") seed tables exists"
is "$(wc -l <"$fx/seed-tables.txt")" 134 "the seed names 134 tables"

count() { psql -X -Atq -d "$db" -c "$1"; }
nidx=$(count "select count(*) from pg_indexes where schemaname = 'public'")
ok $((nidx < 100)) "at least 100 indexes in public ($nidx)"
npol=$(count "select count(*) from pg_policies where schemaname = 'public'")
ok $((npol < 150)) "at least 150 policies in public ($npol)"
for p in users_policy library_access story_access api_keys_user_policy \
	webhooks_user_policy webhook_deliveries_user_policy; do
	n=$(count "select count(*) from pg_policies where policyname = '$p'")
	is "$n" 1 "seed policy $p exists"
done
for i in idx_libraries_owner idx_stories_library_id idx_emotions_user_id \
	idx_api_keys_key_hash idx_webhook_deliveries_webhook_id; do
	n=$(count "select count(*) from pg_indexes where indexname = '$i'")
	is "$n" 1 "seed index $i exists"
done
u=$(count "select indexdef from pg_indexes where indexname = 'idx_api_keys_key_hash'")
like "$u" "^CREATE UNIQUE INDEX" "idx_api_keys_key_hash is unique"

done_testing
