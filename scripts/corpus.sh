#!/usr/bin/env bash
# corpus.sh - pgdrift on real, public Supabase migration histories.
#
#   scripts/corpus.sh [--populate] [--sets A,B,...] [--no-inject] [--keep]
#                     [--out DIR]
#
# The sets are listed in fixtures/corpus/manifest.tsv (name, repository,
# pinned commit, migrations path, file count, tag). Their files are public
# code and are never committed: they are read from $PGDRIFT_CORPUS/<name>/
# (default /var/cache/pgdrift/corpus). --populate first exports every set
# whose repository has a local git mirror ($PGDRIFT_MIRROR/<owner>+<repo>/repo,
# default /work/.mirror) at the pinned commit; without a mirror, clone the
# repository and run
#   git -C CLONE archive COMMIT PATH | tar -x -C $PGDRIFT_CORPUS/NAME --strip-components=N
# yourself. This script is not part of .ci/run.
#
# For each set it:
#  1. creates a fresh database on a private sandbox, applies
#     fixtures/supabase/stub.sql and fixtures/corpus/platform.sql (the rest
#     of the hosted platform that histories rely on), then every <version>_<name>.sql file in
#     lexical order (the Supabase CLI's order and pattern), each file in one
#     transaction together with its supabase_migrations.schema_migrations row
#     (statements split by scripts/supabase-record.pl, as the CLI splits);
#  2. runs `pgdrift check` and prints one row: set, files, statements,
#     applies (yes, or no + the failing file), exit, drift findings (and of
#     them, those the report attributes to an unmodeled statement), history
#     errors, unmodeled statements, DO blocks and top-level calls, wall time;
#  3. unless --no-inject: clones the database (CREATE DATABASE ... TEMPLATE)
#     once per drift kind, injects that drift on one of the set's own
#     objects, and checks that pgdrift reports it with the right code on
#     the right object.
# A set its server cannot apply is reported as such and not counted as a
# pgdrift failure. A set runs on PostgreSQL 15 unless its tag column (a
# comma-separated list) holds pgNN: then on a sandbox of that major version
# (scripts/pg-sandbox.sh --pg NN), e.g. pg17 for the MAINTAIN privilege.
#
# Extensions vanilla PostgreSQL lacks (vector, pg_net, pg_cron, pg_graphql,
# supabase_vault, pgsodium, pgjwt, http, postgis, pgroonga) are SQL-only
# emulations in fixtures/corpus/extensions. pgvector's hnsw and ivfflat
# reloptions (lists, m, ef_construction) need an index access method that
# accepts them: fixtures/corpus/shim/pgd_shim.c, GiST's handler with
# pgvector's options, compiled here against the server's headers (Debian's
# postgresql-server-dev-NN, fetched with apt-get download and unpacked
# under WORK, never installed). Emulations and shim go into a private copy
# of each server's installation (binaries copied, everything else
# symlinked, under $WORK/pgtree-NN) and the sandbox runs from there: the
# system's extension and library directories are never touched.
#
# Output: the table on stdout; per set, DIR/<set>/{apply.log,check.json,
# check.txt,inject.txt} (DIR: --out, default $WORK/out). WORK is
# ${PGDRIFT_CORPUS_WORK:-/tmp/pgdrift-corpus}.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
corpus=${PGDRIFT_CORPUS:-/var/cache/pgdrift/corpus}
mirror=${PGDRIFT_MIRROR:-/work/.mirror}
work=${PGDRIFT_CORPUS_WORK:-/tmp/pgdrift-corpus}
manifest=$root/fixtures/corpus/manifest.tsv
pgdrift=${PGDRIFT:-$root/build/pgdrift}
populate= only= inject=1 keep= out=

while (($#)); do
	case "$1" in
	--populate) populate=1; shift ;;
	--sets) only=",${2:?--sets needs a list},"; shift 2 ;;
	--no-inject) inject=; shift ;;
	--keep) keep=1; shift ;;
	--out) out=${2:?--out needs a directory}; shift 2 ;;
	-h|--help) sed -n '2,/^set -e/p' "$0" | sed 's/^# \{0,1\}//;$d'; exit 0 ;;
	*) echo "corpus: unknown option $1" >&2; exit 2 ;;
	esac
done
out=${out:-$work/out}

die() { echo "corpus: $*" >&2; exit 1; }

# manifest rows without comments: name repo commit path files tag
rows() { grep -v '^#' "$manifest" | awk -F'\t' 'NF >= 6'; }
selected() { [[ -z "$only" || "$only" == *",$1,"* ]]; }

if [[ -n "$populate" ]]; then
	mkdir -p "$corpus"
	while IFS=$'\t' read -r name repo commit path _ _; do
		selected "$name" || continue
		g=$mirror/${repo/\//+}/repo
		[[ -d "$g/.git" ]] && g=$g/.git
		if [[ ! -d "$g" ]]; then
			echo "corpus: $name: no mirror of $repo in $mirror: clone it and export $path at $commit" >&2
			continue
		fi
		rm -rf "${corpus:?}/$name"
		mkdir -p "$corpus/$name"
		strip=$(($(tr -cd / <<<"$path" | wc -c) + 1))
		git --git-dir="$g" archive "$commit" "$path" 2>/dev/null |
			tar -x -C "$corpus/$name" --strip-components="$strip" ||
			echo "corpus: $name: export of $path at $commit failed" >&2
	done < <(rows)
fi

[[ -d "$corpus" ]] || die "no corpus at $corpus (set PGDRIFT_CORPUS, or run with --populate on a machine with the mirrors; see the manifest for repository, commit and path)"
[[ -x "$pgdrift" ]] || die "no pgdrift binary at $pgdrift (ninja -C build)"
mkdir -p "$work"
# a private copy: a rebuild during a long run must not swap the binary
cp "$pgdrift" "$work/pgdrift.bin"
pgdrift=$work/pgdrift.bin
export PGDRIFT=$pgdrift

# --- private installations with the extension emulations -----------------
. "$here/pg-versions.sh"
# realdir DIR: make $tree/DIR a real directory whose entries are symlinks to
# DIR's (replacing a symlink to DIR there), so files can be added to it
realdir() {
	local d=$1 t=$tree$1 e
	[[ -L "$t" ]] && rm "$t"
	mkdir -p "$t"
	for e in "$d"/*; do
		[[ -e "$t/${e##*/}" || -L "$t/${e##*/}" ]] || ln -s "$e" "$t/"
	done
}
# headers VER: the server headers of major VER (Debian's
# postgresql-server-dev-VER, downloaded and unpacked under $work, never
# installed), printed as an include directory, or nothing
headers() {
	local v=$1 inc
	for inc in "/usr/include/postgresql/$v/server" "$work/pgdev-$v/usr/include/postgresql/$v/server"; do
		[[ -f "$inc/postgres.h" ]] && { echo "$inc"; return; }
	done
	mkdir -p "$work/pgdev-$v"
	(cd "$work/pgdev-$v" && apt-get download "postgresql-server-dev-$v" >/dev/null 2>&1 &&
		dpkg-deb -x postgresql-server-dev-"$v"_*.deb .) || return 0
	[[ -f "$inc/postgres.h" ]] && echo "$inc"
	return 0
}
# make_tree VER: a private copy of server VER's installation under
# $work/pgtree-VER (binaries copied: the server finds its share and lib
# directories relative to its own resolved path; everything else
# symlinked), with the emulations in its extension directory and the index
# access method shim (fixtures/corpus/shim) in its library directory.
# Prints the copy's bin directory.
make_tree() {
	local v=$1 bindir sharedir libdir inc
	bindir=$(pgd_pg_bindir "$v")
	[[ -x "$bindir/postgres" ]] || "$here/bootstrap.sh" --pg "$v" >&2 || die "no PostgreSQL $v (scripts/bootstrap.sh --pg $v)"
	if [[ -x "$bindir/pg_config" ]]; then
		sharedir=$("$bindir/pg_config" --sharedir) libdir=$("$bindir/pg_config" --pkglibdir)
	else	# the npm builds: native/{bin,lib/postgresql,share/postgresql}
		sharedir=$(cd "$bindir/../share/postgresql" && pwd) libdir=$(cd "$bindir/../lib/postgresql" && pwd)
	fi
	tree=$work/pgtree-$v
	if [[ ! -x "$tree$bindir/postgres" ]]; then
		rm -rf "$tree"
		mkdir -p "$tree$bindir"
		cp -a "$bindir/." "$tree$bindir/"
	fi
	# top-down: a parent made real before its child replaces its symlink
	local d
	for d in "$(dirname "$libdir")" "$libdir" "$(dirname "$sharedir")" "$sharedir" "$sharedir/extension"; do
		[[ "$d" == "$(dirname "$bindir")" ]] && { mkdir -p "$tree$d"; continue; }
		realdir "$d"
	done
	# the parent of bin/ holds bin (copied) and the rest as symlinks
	for d in "$(dirname "$bindir")"/*; do
		[[ -e "$tree$d" || -L "$tree$d" ]] || ln -s "$d" "$tree$d"
	done
	# the emulations are refreshed every run
	for d in "$root"/fixtures/corpus/extensions/*; do
		ln -sf "$d" "$tree$sharedir/extension/${d##*/}"
	done
	inc=$(headers "$v")
	if [[ -n "$inc" ]]; then
		cc -O1 -fPIC -shared -Wall -I"$inc" -o "$tree$libdir/pgd_shim.so" \
			"$root/fixtures/corpus/shim/pgd_shim.c" >&2 ||
			die "the index access method shim does not build against $inc"
	else
		echo "corpus: no server headers for PostgreSQL $v: the vector emulation cannot be created there" >&2
	fi
	echo "$tree$bindir"
}

# one sandbox per server version, started when a set first needs it
declare -A server_env=() server_dir=() server_bin=()
use_server() {
	local v=$1
	if [[ -z "${server_env[$v]:-}" ]]; then
		server_bin[$v]=$(make_tree "$v")
		server_dir[$v]=$work/pg-$v
		server_env[$v]=$(PG_BINDIR=${server_bin[$v]} "$here/pg-sandbox.sh" start "${server_dir[$v]}" --pg "$v")
		eval "${server_env[$v]}"
		[[ "$(command psql -X -At -d postgres -c "SELECT count(*) FROM pg_available_extensions WHERE name = 'pg_cron'")" == 1 ]] ||
			die "the private installation of PostgreSQL $v does not see the emulations"
	fi
	eval "${server_env[$v]}"
}
cleanup() {
	[[ -n "$keep" ]] && return
	local v
	for v in "${!server_dir[@]}"; do
		PG_BINDIR=${server_bin[$v]} "$here/pg-sandbox.sh" stop "${server_dir[$v]}" >/dev/null 2>&1 || true
	done
}
trap cleanup EXIT
# set_version TAGS: the server major version a set needs (a pgNN tag), else
# the default
set_version() {
	local t
	for t in ${1//,/ }; do
		[[ "$t" =~ ^pg([0-9]+)$ ]] && { echo "${BASH_REMATCH[1]}"; return; }
	done
	echo "$PGD_PG_DEFAULT"
}
psql() { command psql -X -q -v ON_ERROR_STOP=1 "$@"; }

# --- apply one set the way `supabase db reset` does ---------------------
# apply_set DB DIR LOG: prints "yes" or "no:FILE"
apply_set() {
	local db=$1 dir=$2 log=$3 f base version
	declare -A seen=()
	{
		psql -d "$db" -c 'ALTER DATABASE "'"$db"'" SET search_path = "$user", public, extensions' &&
		psql -d "$db" -f "$root/fixtures/supabase/stub.sql" &&
		psql -d "$db" -f "$root/fixtures/corpus/platform.sql" &&
		psql -d "$db" <<-'SQL'
			CREATE SCHEMA IF NOT EXISTS supabase_migrations;
			CREATE TABLE supabase_migrations.schema_migrations (version text NOT NULL PRIMARY KEY,
			  statements text[], name text);
		SQL
	} >"$log" 2>&1 || { echo "no:stub.sql"; return; }
	while IFS= read -r base; do
		f=$dir/$base
		version=${base%%_*}
		if [[ -n "${seen[$version]:-}" ]]; then
			# the CLI would stop on the primary key: record nothing
			echo "note: $base shares version $version" >>"$log"
			psql -d "$db" --single-transaction -f "$f" >>"$log" 2>&1 ||
				{ echo "no:$base"; return; }
			continue
		fi
		seen[$version]=1
		psql -d "$db" --single-transaction -f "$f" -f <(perl "$here/supabase-record.pl" "$f") \
			>>"$log" 2>&1 || { echo "no:$base"; return; }
	done < <(find "$dir" -maxdepth 1 -type f -name '*.sql' -printf '%f\n' |
		grep -E '^[0-9]+_.*\.sql$' | LC_ALL=C sort)
	echo yes
}

# count(JSON, jq-filter)
count() { jq "[.findings[] | select($2)] | length" "$1" 2>/dev/null || echo "?"; }

now_ms() { date +%s%3N; }

printf '%-32s %5s %6s %-28s %4s %5s %5s %5s %6s %4s %7s\n' set files stmts applies exit drift expl hist unmod do/c time_s
tot_sets=0 tot_applied=0 tot_clean=0 tot_files=0 tot_stmts=0 tot_drift=0 tot_hist=0 tot_unmod=0 tot_ms=0
tot_inj=0 tot_inj_ok=0 tot_expl=0
mkdir -p "$out"
: >"$out/inject-summary.txt"
while IFS=$'\t' read -r name repo commit path files tag; do
	selected "$name" || continue
	dir=$corpus/$name
	o=$out/$name
	mkdir -p "$o"
	if [[ ! -d "$dir" ]]; then
		printf '%-32s %5s %6s %-28s\n' "$name" - - "absent ($dir)"
		continue
	fi
	tot_sets=$((tot_sets + 1))
	pgv=$(set_version "$tag")
	use_server "$pgv"
	mapfile -t mig < <(find "$dir" -maxdepth 1 -type f -name '*.sql' | grep -E '/[0-9]+_[^/]*\.sql$' | LC_ALL=C sort)
	nfiles=${#mig[@]}
	# DO blocks and top-level calls (SELECT f(...), CALL): what a static
	# replay can only evaluate
	stmts=- dos=0
	((nfiles)) && dos=$(cat "${mig[@]}" | grep -ciE '^\s*(do\s*(\$|language)|select\s+[a-z_.]+\s*\(|call\s)' || true)
	db="c_$(tr -c 'a-z0-9\n' '_' <<<"$name")"
	command psql -X -q -d postgres -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
	command psql -X -q -d postgres -c "DROP DATABASE IF EXISTS \"${db}_x\" WITH (FORCE)" >/dev/null 2>&1 || true
	psql -d postgres -c "CREATE DATABASE \"$db\"" >/dev/null
	applied=$(apply_set "$db" "$dir" "$o/apply.log")
	if [[ "$applied" != yes ]]; then
		why=$(grep -m1 -E 'ERROR|FATAL' "$o/apply.log" | sed -E 's/.*(ERROR|FATAL): *//' | cut -c1-60)
		printf '%-32s %5s %6s %-28s  (%s)\n' "$name" "$nfiles" "$stmts" "${applied:0:28}" "$why"
		continue
	fi
	tot_applied=$((tot_applied + 1))
	# statements as the CLI split them (the files sharing a version aside)
	stmts=$(command psql -X -At -d "$db" -c 'SELECT coalesce(sum(cardinality(statements)), 0) FROM supabase_migrations.schema_migrations')
	t0=$(now_ms)
	set +e
	PGDATABASE=$db "$pgdrift" check --migrations "$dir" --db "dbname=$db" --no-rls \
		--format json:"$o/check.json" --format text:"$o/check.txt" --show-unmodeled \
		>"$o/stdout.txt" 2>"$o/stderr.txt"
	rc=$?
	set -e
	ms=$(($(now_ms) - t0))
	if [[ -s "$o/check.json" && $rc -le 1 ]]; then
		drift=$(count "$o/check.json" '.category == "drift"')
		hist=$(count "$o/check.json" '.category == "history" and .severity == "error"')
		unmod=$(count "$o/check.json" '.code == "PGD901"')
		# drift the report itself attributes to an unmodeled statement
		# (dynamic DDL): counted, but apart
		expl=$(count "$o/check.json" '.category == "drift" and (.message | contains("possibly made by the unmodeled statement"))')
	else
		drift=- hist=- unmod=- expl=-
	fi
	printf '%-32s %5s %6s %-28s %4s %5s %5s %5s %6s %4s %7.2f\n' "$name" "$nfiles" "$stmts" yes "$rc" \
		"$drift" "$expl" "$hist" "$unmod" "$dos" "$(bc <<<"scale=2; $ms/1000")"
	tot_files=$((tot_files + nfiles)) tot_stmts=$((tot_stmts + stmts)) tot_ms=$((tot_ms + ms))
	if [[ "$drift" =~ ^[0-9]+$ ]]; then
		tot_drift=$((tot_drift + drift)) tot_hist=$((tot_hist + hist)) tot_unmod=$((tot_unmod + unmod))
		tot_expl=$((tot_expl + expl))
		((drift + hist == 0 && rc <= 1)) && tot_clean=$((tot_clean + 1))
	fi
	if [[ -n "$inject" && "$drift" == 0 && $rc -le 1 ]]; then
		"$here/corpus-inject.sh" "$db" "$dir" "$o" >"$o/inject.txt" 2>&1 || true
		ok=$(grep -c '^ok ' "$o/inject.txt" || true)
		n=$(grep -cE '^(ok|MISSED) ' "$o/inject.txt" || true)
		tot_inj=$((tot_inj + n)) tot_inj_ok=$((tot_inj_ok + ok))
		echo "$name: $ok/$n injected drifts reported on the right object" >>"$out/inject-summary.txt"
		grep '^MISSED ' "$o/inject.txt" | sed "s/^/  $name: /" >>"$out/inject-summary.txt" || true
	fi
	[[ -n "$keep" ]] || command psql -X -q -d postgres -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
done < <(rows)
echo
echo "sets $tot_sets, applied $tot_applied, clean $tot_clean, files $tot_files, statements $tot_stmts," \
	"drift findings $tot_drift ($tot_expl attributed to unmodeled statements), history errors $tot_hist, unmodeled $tot_unmod," \
	"pgdrift time $(bc <<<"scale=1; $tot_ms/1000") s"
[[ -n "$inject" ]] && echo "injected drift: $tot_inj_ok of $tot_inj reported on the right object (details: $out/inject-summary.txt)"
exit 0
