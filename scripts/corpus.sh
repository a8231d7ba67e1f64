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
# A set PostgreSQL 15 cannot apply is reported as such and not counted as
# a pgdrift failure.
#
# Extensions vanilla PostgreSQL 15 lacks (vector, pg_net, pg_cron,
# pg_graphql, supabase_vault, pgsodium, pgjwt, http, postgis) are SQL-only
# emulations in fixtures/corpus/extensions. They are installed into a
# private copy of the server's installation (binaries copied, everything
# else symlinked, under $WORK/pgtree) and the sandbox runs from there: the
# system's extension directory is never touched.
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

# --- a private installation with the extension emulations ---------------
find_bindir() {
	for v in 15 16 17; do
		[[ -x /usr/lib/postgresql/$v/bin/postgres ]] && { echo "/usr/lib/postgresql/$v"; return; }
	done
	die "no PostgreSQL server under /usr/lib/postgresql"
}
pglib=$(find_bindir)
ver=$(basename "$pglib")
pgshare=$("$pglib/bin/pg_config" --sharedir)
tree=$work/pgtree
mkdir -p "$work"
if [[ ! -x "$tree$pglib/bin/postgres" ]]; then
	rm -rf "$tree"
	mkdir -p "$tree$pglib/bin" "$tree$pgshare/extension"
	# binaries are copied: the server finds its share directory relative to
	# its own resolved path, so a symlink would lead back to the system's
	cp -a "$pglib/bin/." "$tree$pglib/bin/"
	ln -s "$pglib/lib" "$tree$pglib/lib"
	for f in "$pgshare"/*; do
		[[ "$(basename "$f")" == extension ]] || ln -s "$f" "$tree$pgshare/"
	done
	for f in "$pgshare"/extension/*; do ln -s "$f" "$tree$pgshare/extension/"; done
fi
# the emulations are refreshed every run (they are symlinks to the tree)
for f in "$root"/fixtures/corpus/extensions/*; do
	ln -sf "$f" "$tree$pgshare/extension/$(basename "$f")"
done
[[ "$("$tree$pglib/bin/pg_config" --sharedir)" == "$tree$pgshare" ]] ||
	die "the private installation in $tree does not resolve its own share directory"

export PG_BINDIR=$tree$pglib/bin
eval "$("$here/pg-sandbox.sh" start "$work/pg")"
cleanup() { [[ -n "$keep" ]] || "$here/pg-sandbox.sh" stop "$work/pg" >/dev/null 2>&1 || true; }
trap cleanup EXIT
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
