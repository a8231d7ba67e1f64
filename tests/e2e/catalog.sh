#!/usr/bin/env bash
# catalog.sh - the catalog reader's promises: a fixed number of round trips
# whatever the size of the schema; it works for a low-privilege role whose
# transactions are read-only; it leaves no trace in table statistics; and it
# reports what it reads per query with --verbose.
. "$(dirname "$0")/lib.sh"
require_pg

tmp=$(mktemp -d)
db=$(fresh_db pgd_e2e_catalog)
cleanup() {
	dropdb --if-exists "$db" >/dev/null 2>&1
	psql -X -q -d postgres -c "drop role if exists pgd_e2e_reader" >/dev/null 2>&1
	psql -X -q -d postgres -c "drop role if exists pgd_e2e_single" >/dev/null 2>&1
	psql -X -q -d postgres -c "drop role if exists pgd_e2e_noidx" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT

mk_tables() { # mk_tables FROM TO: tables with columns, an index and a policy
	python3 - "$1" "$2" <<'PY' | psql -X -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null
import sys
for i in range(int(sys.argv[1]), int(sys.argv[2])):
    print(f"create table t{i} (id bigint primary key, name text not null default 'x',"
          f" ref bigint, created_at timestamptz default now());")
    print(f"create index t{i}_name_idx on t{i} (lower(name)) where ref is not null;")
    print(f"alter table t{i} enable row level security;")
    print(f"create policy p{i} on t{i} for select using (ref > 0);")
PY
}

queries() { # the number of catalog round trips --verbose reports
	"$PGDRIFT" snapshot --db "dbname=$db" --verbose >/dev/null 2>"$tmp/verbose"
	sed -n 's/^pgdrift: \([0-9]*\) queries.*/\1/p' "$tmp/verbose"
}

mk_tables 0 10
q10=$(queries)
ok $(( q10 < 1 )) "10 tables: $q10 catalog round trips"
# the policies come in three parts (by table): their rows add up
pol=$(sed -n 's|^pgdrift: query policies\(/[12]\)\? *\([0-9]*\) rows.*|\2|p' "$tmp/verbose" |
	awk '{ s += $1; n++ } END { print n " parts, " s " rows" }')
is "$pol" "3 parts, 10 rows" "--verbose prints each query's row count (policies in three parts)"
server=$(psql -X -Atqc 'show server_version' -d postgres | cut -d' ' -f1)
num=$(psql -X -Atqc 'show server_version_num' -d postgres)
like "$(cat "$tmp/verbose")" "connected to PostgreSQL ${server//./\\.} \\($num\\)" "--verbose names the server version once it is read"
# a snapshot of the database keeps the server version; a diff of that
# snapshot against the database names it on both sides
"$PGDRIFT" snapshot --db "dbname=$db" --format json -o "$tmp/snap.json" 2>/dev/null
"$PGDRIFT" diff "$tmp/snap.json" "dbname=$db" --format json -o "$tmp/diff.json" 2>/dev/null
is "$?" 0 "a snapshot and its database do not differ"
got=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); d=json.load(open(sys.argv[2])); print(s["server_version"], d["expected_database"]["server_version"], d["database"]["server_version"])' "$tmp/snap.json" "$tmp/diff.json")
is "$got" "$server $server $server" "snapshot and diff report name the server (PostgreSQL $server)"
mk_tables 10 1000
q1000=$(queries)
is "$q1000" "$q10" "1000 tables take as many round trips as 10 ($q1000)"
objects=$(sed -n 's/.* \([0-9]*\) catalog objects.*/\1/p' "$tmp/verbose")
ok $(( objects < 7000 )) "all 1000 tables' objects were read ($objects)"

# K connections sharing one snapshot read what one connection reads
"$PGDRIFT" snapshot --db "dbname=$db" --connections 1 >"$tmp/k1.txt" 2>/dev/null
"$PGDRIFT" snapshot --db "dbname=$db" --connections 4 --verbose >"$tmp/k4.txt" 2>"$tmp/k4.err"
if cmp -s "$tmp/k1.txt" "$tmp/k4.txt"; then
	ok 0 "four connections read the same schema as one"
else
	ok 1 "four connections read the same schema as one"
	diag "$(diff "$tmp/k1.txt" "$tmp/k4.txt" | head -10)"
fi
like "$(cat "$tmp/k4.err")" "pgdrift: [234] connections, one snapshot" "--verbose says how many connections shared the snapshot"
like "$(cat "$tmp/k4.err")" "query [a-z_]+ +[0-9]+ rows +[0-9.]+ ms \\(connection [234]\\)" "queries ran on the other connections too"
rc=0
"$PGDRIFT" snapshot --db "dbname=$db" --connections 0 >/dev/null 2>&1 || rc=$?
is "$rc" 2 "--connections 0 is a usage error"

# a role allowed one connection: the read falls back to it, and says so
psql -X -q -d postgres -c "drop role if exists pgd_e2e_single; create role pgd_e2e_single login connection limit 1" >/dev/null
rc=0
"$PGDRIFT" snapshot --db "dbname=$db user=pgd_e2e_single" --verbose >"$tmp/single.txt" 2>"$tmp/single.err" || rc=$?
is "$rc" 0 "a role limited to one connection reads the catalog"
like "$(cat "$tmp/single.err")" "connection [23] cannot connect, read without it" "--verbose says the other connections could not be opened"
like "$(cat "$tmp/single.err")" "pgdrift: 1 connection, one snapshot" "--verbose says one connection read it"
"$PGDRIFT" snapshot --db "dbname=$db" --connections 1 >"$tmp/su1.txt" 2>/dev/null
if cmp -s "$tmp/single.txt" "$tmp/su1.txt"; then
	ok 0 "the fallback reads the same schema"
else
	ok 1 "the fallback reads the same schema"
	diag "$(diff "$tmp/su1.txt" "$tmp/single.txt" | head -10)"
fi
psql -X -q -d postgres -c "drop role pgd_e2e_single" >/dev/null

# fail closed: a query failing on another connection than the first fails
# the read. The first connection starts with the policies query and waits
# for a lock on pg_policy meanwhile; the indexes query goes to the second,
# and this role may not call pg_get_indexdef.
psql -X -q -d postgres -c "drop role if exists pgd_e2e_noidx; create role pgd_e2e_noidx login" >/dev/null
psql -X -q -d "$db" -c "revoke execute on function pg_catalog.pg_get_indexdef(oid) from public" >/dev/null
( psql -X -q -d "$db" -c "begin; lock table pg_catalog.pg_policy in access exclusive mode; select pg_sleep(3); commit;" >/dev/null 2>&1 & )
sleep 1
rc=0
"$PGDRIFT" snapshot --db "dbname=$db user=pgd_e2e_noidx" --connections 2 --verbose >"$tmp/noidx.txt" 2>"$tmp/noidx.err" || rc=$?
psql -X -q -d "$db" -c "grant execute on function pg_catalog.pg_get_indexdef(oid) to public" >/dev/null
is "$rc" 4 "a query failing on the second connection: exit 4"
like "$(cat "$tmp/noidx.err")" "indexes.*permission denied" "the cause names the query and the denial"
is "$(wc -c <"$tmp/noidx.txt" | tr -d ' ')" 0 "no partial model is printed"
sleep 2
psql -X -q -d postgres -c "drop role pgd_e2e_noidx" >/dev/null

# a role that may only connect, with read-only transactions
psql -X -q -d postgres -c "create role pgd_e2e_reader login" >/dev/null
psql -X -q -d postgres -c "alter role pgd_e2e_reader set default_transaction_read_only = on" >/dev/null
rc=0
"$PGDRIFT" snapshot --db "dbname=$db user=pgd_e2e_reader" >"$tmp/ro.txt" 2>"$tmp/ro.err" || rc=$?
is "$rc" 0 "a connect-only, read-only role can read the catalog"
"$PGDRIFT" snapshot --db "dbname=$db" >"$tmp/su.txt" 2>/dev/null
if cmp -s "$tmp/ro.txt" "$tmp/su.txt"; then
	ok 0 "the low-privilege read sees the same schema as a superuser"
else
	ok 1 "the low-privilege read sees the same schema as a superuser"
	diag "$(diff "$tmp/su.txt" "$tmp/ro.txt" | head -10)"
fi

# no trace in the statistics of user tables, no session left behind
stats() {
	psql -X -Atq -d "$db" -c "select pg_stat_clear_snapshot();
		select coalesce(sum(seq_scan), 0) || '/' || coalesce(sum(idx_scan), 0) || '/' ||
		coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) from pg_stat_user_tables" | tail -1
}
sleep 1
before=$(stats)
"$PGDRIFT" snapshot --db "dbname=$db" >/dev/null 2>&1
sleep 1
after=$(stats)
is "$after" "$before" "reading the catalog scans and writes no user table"
left=$(psql -X -Atq -d postgres -c "select count(*) from pg_stat_activity where application_name = 'pgdrift'")
is "$left" 0 "no pgdrift session is left behind"
done_testing
