#!/usr/bin/env bash
# corpus-inject.sh - inject known drift into clones of a corpus database and
# check pgdrift reports each on the right object (called by corpus.sh).
#
#   scripts/corpus-inject.sh DB MIGRATIONS_DIR OUTDIR
#
# For every kind it picks one of the set's own objects from the catalog
# (in the set's main schema: public when the set has tables there, else
# the schema of its own it has most tables in, since unexpected objects are
# reported only in schemas the migrations own; never an extension member),
# clones DB (CREATE DATABASE ...
# TEMPLATE DB), applies the drift, runs `pgdrift check` and looks for a
# finding with the expected code whose object names the chosen object.
# Prints one line per kind: "ok KIND CODE OBJECT", "MISSED KIND CODE OBJECT
# (what was reported instead)" or "skip KIND (no such object in this set)".
# Connection settings come from the libpq environment.
set -uo pipefail

db=$1 dir=$2 outdir=$3
here=$(cd "$(dirname "$0")" && pwd)
pgdrift=${PGDRIFT:-$here/../build/pgdrift}
clone="${db}_x"

q() { psql -X -At -v ON_ERROR_STOP=1 -d "$db" -c "$1" 2>/dev/null | head -1; }

# the set's main schema (see above); platform schemas never
S=$(q "SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r','p') AND n.nspname !~ '^(pg_|information_schema$)'
  AND n.nspname NOT IN ('auth','storage','realtime','extensions','graphql','graphql_public',
    'supabase_functions','supabase_migrations','vault','pgsodium','net','cron','pgmq','_realtime',
    '_analytics','pgbouncer','pgtle','pgroonga','repack','tiger','tiger_data','topology')
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                  AND d.objid = c.oid AND d.deptype = 'e')
  GROUP BY n.nspname ORDER BY n.nspname <> 'public', count(*) DESC, 1 LIMIT 1")
S=${S:-public}
echo "schema $S"

# tables of the set in that schema, ordinary or partitioned, not owned by an extension
tables="SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = '$S' AND c.relkind IN ('r','p') AND NOT c.relispartition
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                  AND d.objid = c.oid AND d.deptype = 'e')"
# a column with no dependent view, policy or constraint
free_col="NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.refobjid = a.attrelid
  AND d.refobjsubid = a.attnum AND d.classid <> 'pg_attrdef'::regclass)
  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = a.attrelid AND a.attnum = ANY (k.conkey))
  AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = a.attrelid AND a.attnum = ANY (i.indkey))"
cols="FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
  WHERE a.attrelid IN ($tables) AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
  AND a.attidentity = ''"

# inject KIND CODE OBJECT SQL: clone, apply, check
inject() {
	local kind=$1 code=$2 obj=$3 sql=$4
	if [[ -z "$obj" || "$obj" == *. || "$obj" == *..* ]]; then
		echo "skip $kind (no such object in this set)"
		return
	fi
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS \"$clone\" WITH (FORCE)" >/dev/null 2>&1
	if ! psql -X -q -d postgres -c "CREATE DATABASE \"$clone\" TEMPLATE \"$db\"" >/dev/null 2>&1; then
		echo "skip $kind (clone failed)"
		return
	fi
	if ! psql -X -q -v ON_ERROR_STOP=1 -d "$clone" -c "$sql" >"$outdir/inject-$kind.log" 2>&1; then
		echo "skip $kind (injection failed: $(grep -m1 ERROR "$outdir/inject-$kind.log" | cut -c1-80))"
		return
	fi
	"$pgdrift" check --migrations "$dir" --db "dbname=$clone" --no-rls --allow-unmodeled \
		--format json:"$outdir/inject-$kind.json" >/dev/null 2>"$outdir/inject-$kind.err"
	local hit
	hit=$(jq -r --arg c "$code" --arg o "$obj" \
		'[.findings[] | select((.code == $c or ($c == "ANY" and .category != "coverage")) and ((.object // "") | gsub("\""; "") | contains($o)))] | length' \
		"$outdir/inject-$kind.json" 2>/dev/null)
	if [[ "${hit:-0}" -gt 0 ]]; then
		echo "ok $kind $code $obj"
	else
		echo "MISSED $kind $code $obj (reported: $(jq -r '[.findings[] | select(.category == "drift") | .code + " " + (.object // "")] | join(", ")' \
			"$outdir/inject-$kind.json" 2>/dev/null | cut -c1-200))"
	fi
}

id() { sed 's/"/""/g; s/.*/"&"/' <<<"$1"; }

# --- tables and columns --------------------------------------------------
t=$(q "SELECT c.relname FROM pg_class c WHERE c.oid IN ($tables)
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.refobjid = c.oid AND d.classid = 'pg_rewrite'::regclass)
  ORDER BY c.relname LIMIT 1")
inject missing_table PGD101 "$S.$t" "DROP TABLE $S.$(id "$t") CASCADE"
inject unexpected_table PGD102 "$S.pgdrift_injected" "CREATE TABLE $S.pgdrift_injected (id bigint PRIMARY KEY, note text)"
inject table_renamed PGD103 "$S.$t" "ALTER TABLE $S.$(id "$t") RENAME TO $(id "${t}_renamed")"

read -r t c < <(q "SELECT c.relname || ' ' || a.attname $cols AND $free_col ORDER BY 1 LIMIT 1")
inject missing_column PGD111 "$S.$t.$c" "ALTER TABLE $S.$(id "$t") DROP COLUMN $(id "$c") CASCADE"
inject column_renamed PGD117 "$S.$t.$c" "ALTER TABLE $S.$(id "$t") RENAME COLUMN $(id "$c") TO $(id "${c}_renamed")"
inject unexpected_column PGD112 "$S.$t.pgdrift_injected" "ALTER TABLE $S.$(id "$t") ADD COLUMN pgdrift_injected text"

read -r t c < <(q "SELECT c.relname || ' ' || a.attname $cols AND $free_col AND a.atttypid = 'text'::regtype ORDER BY 1 LIMIT 1")
inject column_type PGD113 "$S.$t.$c" "ALTER TABLE $S.$(id "$t") ALTER COLUMN $(id "$c") TYPE varchar(77)"

read -r t c < <(q "SELECT c.relname || ' ' || a.attname $cols AND $free_col AND a.attnotnull ORDER BY 1 LIMIT 1")
inject not_null_dropped PGD114 "$S.$t.$c" "ALTER TABLE $S.$(id "$t") ALTER COLUMN $(id "$c") DROP NOT NULL"

read -r t c < <(q "SELECT c.relname || ' ' || a.attname $cols AND $free_col AND NOT a.attnotnull ORDER BY 1 LIMIT 1")
inject not_null_added PGD114 "$S.$t.$c" "UPDATE $S.$(id "$t") SET $(id "$c") = DEFAULT WHERE false; DELETE FROM $S.$(id "$t"); ALTER TABLE $S.$(id "$t") ALTER COLUMN $(id "$c") SET NOT NULL"

read -r t c < <(q "SELECT c.relname || ' ' || a.attname $cols AND a.atthasdef ORDER BY 1 LIMIT 1")
inject default_dropped PGD115 "$S.$t.$c" "ALTER TABLE $S.$(id "$t") ALTER COLUMN $(id "$c") DROP DEFAULT"
read -r t c < <(q "SELECT c.relname || ' ' || a.attname $cols AND a.atthasdef AND a.atttypid IN ('text'::regtype, 'integer'::regtype, 'boolean'::regtype, 'timestamptz'::regtype, 'jsonb'::regtype) ORDER BY 1 LIMIT 1")
if [[ -n "${t:-}" ]]; then
	ty=$(q "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '$S.$(id "$t")'::regclass AND attname = '$c'")
	case "$ty" in
	text) v="'pgdrift injected'" ;; integer) v=4242 ;; boolean) v="NULL::boolean" ;;
	jsonb) v="'{\"pgdrift\": 1}'::jsonb" ;; *) v="'2001-02-03'::timestamptz" ;;
	esac
	inject default_changed PGD115 "$S.$t.$c" "ALTER TABLE $S.$(id "$t") ALTER COLUMN $(id "$c") SET DEFAULT $v"
else
	inject default_changed PGD115 "" ""
fi

# --- constraints and indexes -------------------------------------------
ck="FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid WHERE k.conrelid IN ($tables) AND k.conparentid = 0"
read -r t k < <(q "SELECT c.relname || ' ' || k.conname $ck AND k.contype = 'c' ORDER BY 1 LIMIT 1")
inject check_dropped PGD121 "$S.$t.$k" "ALTER TABLE $S.$(id "$t") DROP CONSTRAINT $(id "$k")"
read -r t k < <(q "SELECT c.relname || ' ' || k.conname $ck AND k.contype = 'f' ORDER BY 1 LIMIT 1")
if [[ -n "${t:-}" ]]; then
	def=$(q "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = '$k' AND conrelid = '$S.$(id "$t")'::regclass")
	if [[ "$def" == *"ON DELETE"* ]]; then def=$(sed -E 's/ ON DELETE (SET NULL|SET DEFAULT|CASCADE|RESTRICT)//' <<<"$def"); else def="$def ON DELETE CASCADE"; fi
	inject fk_action_changed PGD123 "$S.$t.$k" "ALTER TABLE $S.$(id "$t") DROP CONSTRAINT $(id "$k"), ADD CONSTRAINT $(id "$k") $def"
else
	inject fk_action_changed PGD123 "" ""
fi
read -r t k < <(q "SELECT c.relname || ' ' || k.conname $ck AND k.contype = 'u'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.refobjid = k.conindid AND d.classid = 'pg_constraint'::regclass AND d.objid <> k.oid) ORDER BY 1 LIMIT 1")
inject unique_dropped PGD121 "$S.$t.$k" "ALTER TABLE $S.$(id "$t") DROP CONSTRAINT $(id "$k")"
ix="FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid JOIN pg_class c ON c.oid = i.indrelid
  WHERE i.indrelid IN ($tables) AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)"
read -r t x < <(q "SELECT c.relname || ' ' || x.relname $ix AND x.relkind = 'i' ORDER BY 1 LIMIT 1")
inject index_dropped PGD131 "$S.$t.$x" "DROP INDEX $S.$(id "$x")"
read -r t c < <(q "SELECT c.relname || ' ' || a.attname $cols AND a.atttypid IN ('text'::regtype, 'uuid'::regtype, 'bigint'::regtype, 'integer'::regtype) AND c.relkind = 'r' ORDER BY 1 LIMIT 1")
inject unexpected_index PGD132 "$S.$t.pgdrift_injected_idx" "CREATE INDEX pgdrift_injected_idx ON $S.$(id "$t") ($(id "$c"))"

# --- RLS and policies ----------------------------------------------------
t=$(q "SELECT c.relname FROM pg_class c WHERE c.oid IN ($tables) AND c.relrowsecurity ORDER BY 1 LIMIT 1")
inject rls_disabled PGD141 "$S.$t" "ALTER TABLE $S.$(id "$t") DISABLE ROW LEVEL SECURITY"
pol="FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid WHERE p.polrelid IN ($tables)"
read -r t p < <(q "SELECT c.relname || ' ' || p.polname $pol AND p.polname !~ '[ \"]' ORDER BY 1 LIMIT 1")
if [[ -z "${t:-}" ]]; then
	pr=$(q "SELECT c.relname || E'\t' || p.polname $pol ORDER BY 1 LIMIT 1")
	t=${pr%%$'\t'*} p=${pr#*$'\t'}
fi
inject policy_dropped PGD151 "$S.$t.$p" "DROP POLICY $(id "$p") ON $S.$(id "$t")"
pr=$(q "SELECT c.relname || E'\t' || p.polname $pol AND p.polqual IS NOT NULL ORDER BY 1 LIMIT 1")
if [[ -n "$pr" ]]; then
	inject policy_changed PGD153 "$S.${pr%%$'\t'*}.${pr#*$'\t'}" "ALTER POLICY $(id "${pr#*$'\t'}") ON $S.$(id "${pr%%$'\t'*}") USING (false)"
else
	inject policy_changed PGD153 "" ""
fi
t=$(q "SELECT c.relname FROM pg_class c WHERE c.oid IN ($tables) ORDER BY 1 LIMIT 1")
inject hotfix_policy PGD152 "$S.$t.pgdrift_injected" "CREATE POLICY pgdrift_injected ON $S.$(id "$t") FOR SELECT TO anon USING (true)"

# --- triggers, types, views, functions, grants ----------------------------
tg=$(q "SELECT c.relname || E'\t' || g.tgname FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
  WHERE g.tgrelid IN ($tables) AND NOT g.tgisinternal AND g.tgparentid = 0 ORDER BY 1 LIMIT 1")
if [[ -n "$tg" ]]; then
	inject trigger_dropped PGD161 "$S.${tg%%$'\t'*}.${tg#*$'\t'}" "DROP TRIGGER $(id "${tg#*$'\t'}") ON $S.$(id "${tg%%$'\t'*}")"
	inject trigger_disabled PGD163 "$S.${tg%%$'\t'*}.${tg#*$'\t'}" "ALTER TABLE $S.$(id "${tg%%$'\t'*}") DISABLE TRIGGER $(id "${tg#*$'\t'}")"
else
	inject trigger_dropped PGD161 "" ""
fi
fn=$(q "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = '$S'
  AND p.prorettype = 'trigger'::regtype
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e') ORDER BY 1 LIMIT 1")
t=$(q "SELECT c.relname FROM pg_class c WHERE c.oid IN ($tables) ORDER BY 1 LIMIT 1")
if [[ -n "$fn" ]]; then
	inject unexpected_trigger PGD162 "$S.$t.pgdrift_injected" "CREATE TRIGGER pgdrift_injected BEFORE UPDATE ON $S.$(id "$t") FOR EACH ROW EXECUTE FUNCTION $S.$(id "$fn")()"
else
	inject unexpected_trigger PGD162 "" ""
fi
e=$(q "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = '$S' AND t.typtype = 'e' ORDER BY 1 LIMIT 1")
inject enum_label_added PGD173 "$S.$e" "ALTER TYPE $S.$(id "$e") ADD VALUE 'pgdrift_injected'"
v=$(q "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '$S' AND c.relkind = 'v'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e') ORDER BY 1 LIMIT 1")
inject view_dropped PGD181 "$S.$v" "DROP VIEW $S.$(id "$v") CASCADE"
inject unexpected_function PGD192 "$S.pgdrift_injected" "CREATE FUNCTION $S.pgdrift_injected(a integer) RETURNS integer LANGUAGE sql AS 'select a + 1'"
fs=$(q "SELECT p.oid::regprocedure FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = '$S'
  AND NOT p.prosecdef AND p.prokind = 'f'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e') ORDER BY 1 LIMIT 1")
inject function_definer PGD193 "$(sed -E "s/\\(.*//; s/^$S\\.//; s/^/$S./" <<<"$fs")" "ALTER FUNCTION $fs SECURITY DEFINER"
fb=$(q "SELECT p.oid::regprocedure FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = '$S'
  AND p.prokind = 'f' AND p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'plpgsql') AND p.prorettype <> 'trigger'::regtype
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e') ORDER BY 1 LIMIT 1")
inject function_body_changed PGD193 "$(sed -E "s/\\(.*//; s/^$S\\.//; s/^/$S./" <<<"$fb")" \
	"DO \$\$ DECLARE d text; BEGIN SELECT pg_get_functiondef('$fb'::regprocedure) INTO d;
	 EXECUTE regexp_replace(d, '\\mbegin\\M', 'BEGIN PERFORM 1;', 'i'); END \$\$"
# anon already holds ALL on a Supabase project's tables (the platform's
# default privileges): a grant it lacks is one to PUBLIC
t=$(q "SELECT c.relname FROM pg_class c WHERE c.oid IN ($tables)
  AND NOT has_table_privilege('public', c.oid, 'TRUNCATE') ORDER BY 1 LIMIT 1")
inject grant_added PGD196 "$S.$t" "GRANT TRUNCATE ON $S.$(id "$t") TO PUBLIC"
t=$(q "SELECT c.relname FROM pg_class c WHERE c.oid IN ($tables)
  AND EXISTS (SELECT 1 FROM aclexplode(c.relacl) x WHERE x.grantee = 'authenticated'::regrole AND x.privilege_type = 'SELECT')
  ORDER BY 1 LIMIT 1")
inject grant_revoked PGD195 "$S.$t" "REVOKE SELECT ON $S.$(id "$t") FROM authenticated"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS \"$clone\" WITH (FORCE)" >/dev/null 2>&1
exit 0
