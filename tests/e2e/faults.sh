#!/usr/bin/env bash
# faults.sh - the gate fails closed. Every way of not seeing the database
# ends with exit 4, a one-line cause on stderr, no report on stdout, and no
# password anywhere in the output.
. "$(dirname "$0")/lib.sh"
require_pg

mig="$PGDRIFT_SRC/fixtures/parser"   # any folder works for the connect faults
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; [[ -n "${scram:-}" ]] && "$PGDRIFT_SRC/scripts/pg-sandbox.sh" stop "$scram" >/dev/null 2>&1; rm -rf "${scram:-/nonexistent}"' EXIT
mkdir -p "$tmp/m" && echo "create table t (id int);" >"$tmp/m/0001_t.sql"
secret='s3cr3t-Pa55'

run() { # run NAME EXPECTED_RC ARGS... -> checks rc, empty stdout, no secret
	local name=$1 want=$2
	shift 2
	local rc=0
	"$PGDRIFT" "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
	is "$rc" "$want" "$name: exit $want"
	is "$(wc -c <"$tmp/out" | tr -d ' ')" 0 "$name: no report on stdout"
	if grep -q "$secret" "$tmp/out" "$tmp/err"; then
		ok 1 "$name: the password is not printed"
		diag "$(cat "$tmp/err")"
	else
		ok 0 "$name: the password is not printed"
	fi
	like "$(head -1 "$tmp/err")" "^pgdrift: error: " "$name: a one-line cause on stderr"
}

freeport=$((PGPORT + 1))
run "server not running (wrong port)" 4 snapshot \
	--db "postgresql://postgres:$secret@127.0.0.1:$freeport/postgres?connect_timeout=3"
run "unknown host" 4 snapshot \
	--db "host=no-such-host.invalid port=5432 user=postgres password=$secret connect_timeout=3"
run "database does not exist" 4 check --migrations "$tmp/m" \
	--db "host=$PGHOST port=$PGPORT dbname=pgd_no_such_db password=$secret"
run "sslmode=require without TLS" 4 snapshot \
	--db "postgresql://postgres:$secret@127.0.0.1:$PGPORT/postgres?sslmode=require"
run "malformed connection string" 4 snapshot --db "postgresql://postgres:$secret@[::1"

# a statement timeout: a lock held on a catalog table the reader must wait for
db=$(fresh_db pgd_e2e_faults)
psql -X -q -d "$db" -c "create table locked (id int)"
( psql -X -q -d "$db" -c "begin; lock table pg_catalog.pg_policy in access exclusive mode; select pg_sleep(6); commit;" >/dev/null 2>&1 & )
sleep 1
run "statement timeout under a lock" 4 snapshot --db "dbname=$db" --timeout 1
like "$(cat "$tmp/err")" "timeout|lock" "statement timeout: the cause names the timeout"
sleep 6

# wrong password, against a sandbox that requires scram-sha-256 over TCP
scram=$(mktemp -d)
"$PGDRIFT_SRC/scripts/pg-sandbox.sh" start "$scram" --auth scram-sha-256 >/dev/null ||
	bail "cannot start a scram-sha-256 sandbox"
SCRAM_PORT=$(cat "$scram/port")
run "wrong password" 4 snapshot \
	--db "postgresql://postgres:$secret@127.0.0.1:$SCRAM_PORT/postgres"
like "$(cat "$tmp/err")" "password authentication failed" "wrong password: the cause says so"
good=$(cat "$scram/superuser.password")
rc=0
"$PGDRIFT" snapshot --db "postgresql://postgres:$good@127.0.0.1:$SCRAM_PORT/postgres" >/dev/null 2>&1 || rc=$?
is "$rc" 0 "the right password connects (the wrong-password case is not a setup error)"

# the connection killed mid-introspection: a lock makes the read wait, and
# another session terminates the reader while it waits
psql -X -q -d "$db" -c "create table killme (id int)" >/dev/null
( psql -X -q -d "$db" -c "begin; lock table pg_catalog.pg_policy in access exclusive mode; select pg_sleep(5); commit;" >/dev/null 2>&1 & )
sleep 1
( sleep 1.5; psql -X -q -d postgres -c "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'pgdrift'" >/dev/null 2>&1 ) &
run "connection killed mid-introspection" 4 snapshot --db "dbname=$db" --timeout 20
like "$(cat "$tmp/err")" "terminat|connection|server closed" "killed: the cause says the connection went away"
sleep 4

# a role that may connect but not read what pgdrift needs: pg_catalog's
# tables are world-readable, so take away EXECUTE on a function the reader
# calls (pg_get_expr) from PUBLIC for this role's database
psql -X -q -d postgres -c "drop role if exists pgd_e2e_weak; create role pgd_e2e_weak login" >/dev/null
psql -X -q -d "$db" -c "revoke execute on function pg_catalog.pg_get_expr(pg_node_tree, oid) from public" >/dev/null
run "a role lacking a privilege the reader needs" 4 snapshot --db "dbname=$db user=pgd_e2e_weak"
like "$(cat "$tmp/err")" "permission denied" "lacking privilege: the cause says permission denied"
psql -X -q -d "$db" -c "grant execute on function pg_catalog.pg_get_expr(pg_node_tree, oid) to public" >/dev/null
psql -X -q -d postgres -c "drop role if exists pgd_e2e_weak" >/dev/null

# usage errors are exit 2, a missing migrations folder too
run "unknown flag" 2 check --no-such-flag
run "missing migrations folder" 2 check --migrations "$tmp/nope" --db "dbname=$db"
dropdb --if-exists "$db" >/dev/null 2>&1
done_testing
