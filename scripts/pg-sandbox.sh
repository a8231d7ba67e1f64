#!/usr/bin/env bash
# pg-sandbox.sh - a throwaway PostgreSQL cluster (15 to 18) for tests and demos.
#
#   scripts/pg-sandbox.sh start DIR [--pg 15|16|17|18] [--auth trust|scram-sha-256]
#   scripts/pg-sandbox.sh stop DIR
#   scripts/pg-sandbox.sh env DIR
#
# start: initdb (no fsync) into DIR/data, listen on a private Unix socket in
# DIR and on 127.0.0.1 only, on a free port; print the PGHOST/PGPORT/PGUSER
# exports on stdout (eval them). Running it again on a live cluster only
# prints the exports. The server refuses to run as root, so as root the
# cluster runs as the 'postgres' OS user.
# With --auth scram-sha-256 the superuser gets the password in
# DIR/superuser.password (mode 600) and TCP connections need it; the Unix
# socket stays trust so the scripts themselves can always get in.
# stop: fast shutdown of exactly the cluster in DIR/data (by its data dir).
# On any failure the server log is printed to stderr.
#
# The server's major version is --pg N, else PGDRIFT_PG, else 15 (for stop
# and env, the version the cluster in DIR was made with). 15 is Debian's
# postgresql-15; 16, 17 and 18 are the npm builds pinned in
# scripts/pg-versions.sh, which bootstrap.sh installs into its cache folder
# the first time a version is asked for. PG_BINDIR overrides where the
# binaries are. A version that cannot be installed or started is an error.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/pg-versions.sh"

die() { echo "pg-sandbox: $*" >&2; exit 1; }

# find_bindir N: the folder of initdb/pg_ctl/postgres of major version N,
# installing it (bootstrap.sh --pg N) when it is missing.
find_bindir() {
	if [[ -n "${PG_BINDIR:-}" ]]; then echo "$PG_BINDIR"; return; fi
	local b
	b=$(pgd_pg_bindir "$1")
	if [[ ! -x "$b/initdb" || ! -x "$b/postgres" ]]; then
		"$here/bootstrap.sh" --pg "$1" >&2 ||
			die "PostgreSQL $1 could not be installed (scripts/bootstrap.sh --pg $1)"
	fi
	[[ -x "$b/initdb" ]] || die "no PostgreSQL $1 server in $b"
	echo "$b"
}

(($# >= 2)) || die "usage: $0 start|stop|env DIR [--pg 15|16|17|18] [--auth trust|scram-sha-256]"
cmd=$1
dir=$2
shift 2
auth=trust
pg=${PGDRIFT_PG:-}
while (($#)); do
	case "$1" in
	--auth) auth=${2:?--auth needs a value}; shift 2 ;;
	--pg) pg=${2:?--pg needs a version}; shift 2 ;;
	*) die "unknown option $1" ;;
	esac
done
case "$auth" in trust|scram-sha-256) ;; *) die "--auth must be trust or scram-sha-256" ;; esac
# stop/env act on the cluster that is there, whatever the environment says
if [[ "$cmd" != start && -f "$dir/data/PG_VERSION" ]]; then
	pg=$(cat "$dir/data/PG_VERSION")
fi
pg=${pg:-$PGD_PG_DEFAULT}
pgd_pg_check "$pg" || die "PostgreSQL '$pg' is not supported (one of ${PGD_PG_VERSIONS[*]})"

if [[ "$cmd" == env ]]; then
	bindir=
else
	bindir=$(find_bindir "$pg")
fi
data="$dir/data"
log="$dir/postgres.log"

as_owner() {
	if [[ $(id -u) -eq 0 ]]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

running() {
	[[ -f "$data/postmaster.pid" ]] && as_owner "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1
}

print_env() {
	[[ -f "$dir/port" ]] || die "no sandbox in $dir"
	local port
	port=$(cat "$dir/port")
	echo "export PGHOST='$dir' PGPORT='$port' PGUSER=postgres PGDATABASE=postgres PGDRIFT_PG_SERVER='$pg'"
}

port_in_use() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

show_log() {
	if [[ -f "$log" ]]; then
		echo "pg-sandbox: ---- server log ($log) ----" >&2
		tail -n 50 "$log" >&2
	fi
}

case "$cmd" in
start)
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	data="$dir/data"
	log="$dir/postgres.log"
	if [[ -f "$data/PG_VERSION" && "$(cat "$data/PG_VERSION")" != "$pg" ]]; then
		die "$data holds a PostgreSQL $(cat "$data/PG_VERSION") cluster, not $pg: use another DIR"
	fi
	if running; then
		print_env
		exit 0
	fi
	if [[ $(id -u) -eq 0 ]]; then
		id postgres >/dev/null 2>&1 || die "user 'postgres' does not exist (install postgresql-15)"
		chown postgres "$dir"
		# the socket directory must be reachable by postgres
		chmod 0755 "$dir"
	fi
	if [[ ! -f "$data/PG_VERSION" ]]; then
		initdb_args=(-D "$data" -U postgres -E UTF8 --locale=C --no-sync --auth-local=trust)
		if [[ "$auth" == scram-sha-256 ]]; then
			pw=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
			(umask 077; printf '%s\n' "$pw" >"$dir/superuser.password")
			[[ $(id -u) -eq 0 ]] && chown postgres "$dir/superuser.password"
			initdb_args+=(--auth-host=scram-sha-256 --pwfile="$dir/superuser.password")
		else
			initdb_args+=(--auth-host=trust)
		fi
		if ! as_owner "$bindir/initdb" "${initdb_args[@]}" >"$dir/initdb.log" 2>&1; then
			cat "$dir/initdb.log" >&2
			die "initdb failed"
		fi
	fi
	port=$(( 20000 + (RANDOM % 20000) ))
	for _ in $(seq 1 50); do
		if port_in_use "$port"; then
			port=$((port + 1))
			continue
		fi
		if as_owner "$bindir/pg_ctl" -D "$data" -l "$log" -w -t 60 \
			-o "-c listen_addresses=127.0.0.1 -c unix_socket_directories='$dir' -p $port -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=50" \
			start >/dev/null 2>&1; then
			echo "$port" >"$dir/port"
			print_env
			exit 0
		fi
		# another process may have taken the port between the probe and start
		if grep -q "could not bind\|Address already in use" "$log" 2>/dev/null; then
			port=$((port + 1))
			continue
		fi
		show_log
		die "server did not start"
	done
	show_log
	die "no free port found"
	;;
stop)
	if running; then
		as_owner "$bindir/pg_ctl" -D "$data" -m fast -w stop >/dev/null || { show_log; die "stop failed"; }
	fi
	;;
env)
	print_env
	;;
*)
	die "unknown command $cmd (start|stop|env)"
	;;
esac
