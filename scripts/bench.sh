#!/usr/bin/env bash
# bench.sh [--no-callgrind] [--no-migra] [--no-profiles] [--no-check]
#          [--fleet | --no-fleet] [--profile-n N] [N...] - how fast
# pgdrift is, next to its floors and to what a user would run without it.
# Speed and memory targets live here, never in timed tests.
#
# 1. Parse+replay, every input shape: for every profile of
#    scripts/gen-scale.sh (--list-profiles) in both layouts (many small
#    files, a few large ones) at N=1,000 tables (--profile-n), `pgdrift
#    expected` next to its floor, libpg_query's raw parse of the same files
#    (tests/bench_rawparse: scanner split, then pg_query_parse_protobuf of
#    every statement that is not seed data), with the ratio: in CPU seconds
#    (user+sys, median of 3), in wall seconds (median of 3), and in
#    instructions (callgrind, one run each; --no-callgrind skips them).
#    "own-pack Gi" is the same raw parse linked with src/normalize/pb.c's
#    stand-ins for libpg_query's protobuf packing, which pgdrift uses: the
#    floor pgdrift itself can reach while it parses through that API.
# 2. check, end to end: for each N (default 1000 10000) the policies
#    profile is applied to a fresh database in a throwaway PostgreSQL
#    (timed: what a shadow-database tool pays before it can diff), then
#    `pgdrift check` (median of 5, peak RSS); then, alternating, 3 times
#    each: the floor of introspection, the catalog queries alone
#    (tests/bench_catalog_sql: exactly the texts of src/catalog's queries[]
#    for this server, run by psql in one REPEATABLE READ transaction with
#    their rows sent to /dev/null: the server's time, the transfer, nothing
#    built), and pgdrift's introspection phase (`pgdrift snapshot
#    --timings`) over the automatic number of connections sharing one
#    snapshot and over one; medians, and the ratio to the floor (target
#    <= 1.2x). Then the alternative: the same
#    apply plus @pgkit/migra between the applied database and a copy of it
#    (npm, installed into /var/cache/pgdrift/npm, outside the tree;
#    --no-migra skips it), and the ratio to `pgdrift check`.
# 3. The fleet row: FLEET_N (default 100) Storytailor databases made from
#    one template database (CREATE DATABASE ... TEMPLATE), checked by one
#    `pgdrift check --db-list` at K=1, 4 and 8 connections (wall time, peak
#    RSS, databases/s), beside FLEET_N separate single-database runs.
#    `--fleet` runs the fleet row alone; `--no-fleet` skips it.
# After 1, the dynamic profile (gen-scale.sh --profile dynamic N, N from
# --profile-n): N DO blocks and top-level helper calls against the same
# schema written out statically; `pgdrift expected` on both (21 runs each,
# alternating; medians of wall and CPU time) must give the same model, and
# the dynamic set may take at most 2x the static one (issue 21).
# `bench.sh --dynamic-only [N]` runs just that part.
# Between 1 and 2, the code scanner: `pgdrift refs` over a generated tree of
# 10,000 code files (scripts/gen-code.py; BENCH_REFS_FILES changes the
# count), median of 5 of the scan phase and of the whole command, peak RSS.
# Target: the scan under 2000 ms. `scripts/bench.sh refs` runs only that
# part (no PostgreSQL needed); `--no-refs` skips it.
# The machine this runs on is usually shared: wall clock is noisy there, so
# CPU seconds and instruction counts are printed beside it and the load
# average is printed with every table.
set -euo pipefail
cd "$(dirname "$0")/.."
callgrind=1 migra=1 profiles=1 check=1 fleet=1 refs=1 profile_n=1000 dyn_only= dyn_n=
while [[ "${1:-}" == --* ]]; do
	case "$1" in
	--no-callgrind) callgrind=; shift ;;
	--no-migra) migra=; shift ;;
	--no-profiles) profiles=; shift ;;  # skip part 1
	--no-check) check=; migra=; shift ;; # skip part 2
	--no-fleet) fleet=; shift ;;         # skip part 3
	--no-refs) refs=; shift ;;
	--fleet) profiles= check= migra= refs=; shift ;; # part 3 alone
	--dynamic-only) dyn_only=1 dyn_n=${2:-1000}; shift $#; break ;;
	--profile-n) profile_n=${2:?--profile-n needs a number}; shift 2 ;;
	*) echo "bench: unknown option $1" >&2; exit 2 ;;
	esac
done
sizes=("$@")
((${#sizes[@]})) || sizes=(1000 10000)

# bench_refs WORKDIR: the refs scanner benchmark. The machine is shared,
# so besides wall time it reports the command's CPU time (user + sys),
# which other processes do not inflate.
bench_refs() {
	local work=$1 n=${BENCH_REFS_FILES:-10000} scans=() walls=() cpus=() scpus=() rss=0
	python3 scripts/gen-code.py "$n" "$work/code"
	for _ in 1 2 3 4 5; do
		/usr/bin/time -f "%e %U %S %M" -o "$work/rt" build/pgdrift refs \
			--code "$work/code" --migrations fixtures/refs/migrations \
			--format json -o /dev/null --fail-on none --timings --verbose \
			2>"$work/refs.err"
		read -r secs user sys kb < <(tail -1 "$work/rt")
		walls+=("$(python3 -c 'import sys; print(int(float(sys.argv[1]) * 1000))' "$secs")")
		cpus+=("$(python3 -c 'import sys; print(int((float(sys.argv[1]) + float(sys.argv[2])) * 1000))' "$user" "$sys")")
		scans+=("$(sed -n 's/.*timing scan *\([0-9.]*\) ms.*/\1/p' "$work/refs.err" | cut -d. -f1)")
		scpus+=("$(sed -n 's/.*code files in \([0-9]*\) ms CPU.*/\1/p' "$work/refs.err")")
		((kb > rss)) && rss=$kb
	done
	local scan_ms wall_ms cpu_ms scan_cpu
	scan_ms=$(printf '%s\n' "${scans[@]}" | median)
	scan_cpu=$(printf '%s\n' "${scpus[@]}" | median)
	wall_ms=$(printf '%s\n' "${walls[@]}" | median)
	cpu_ms=$(printf '%s\n' "${cpus[@]}" | median)
	grep 'scanned' "$work/refs.err" | sed 's/^pgdrift: /refs: /' >&2
	printf 'refs: %d code files: scan %d ms wall, %d ms CPU; whole command %d ms wall, %d ms CPU; peak %d MB (target: scan < 2000 ms: %s)\n' \
		"$n" "$scan_ms" "$scan_cpu" "$wall_ms" "$cpu_ms" "$((rss / 1024))" \
		"$( ((scan_ms < 2000)) && echo met || echo "MISSED (load average $(cut -d' ' -f1 /proc/loadavg))")"
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ms() { python3 -c 'import sys; print(int(float(sys.argv[1]) * 1000))' "$1"; }

if [[ "${1:-}" == refs ]]; then
	[[ -f build/build.ninja ]] || meson setup build -Dbuildtype=release >/dev/null
	ninja -C build pgdrift >/dev/null
	work=$(mktemp -d "${TMPDIR:-/tmp}/pgdrift-bench.XXXXXX")
	trap 'rm -rf "$work"' EXIT
	bench_refs "$work"
	exit 0
fi

scripts/bootstrap.sh
[[ -f build/build.ninja ]] || meson setup build -Dbuildtype=release >/dev/null
ninja -C build pgdrift tests/bench_rawparse tests/bench_rawparse_pb tests/bench_catalog_sql >/dev/null
if [[ -n "$callgrind" ]] && ! command -v valgrind >/dev/null; then
	apt-get install -y -qq valgrind >/dev/null 2>&1 || callgrind=
fi
npm_cache=/var/cache/pgdrift/npm
migra_bin=$npm_cache/node_modules/.bin/migra
if [[ -n "$migra" && ! -x "$migra_bin" ]]; then
	mkdir -p "$npm_cache"
	npm install --no-audit --no-fund --silent --prefix "$npm_cache" @pgkit/migra >/dev/null 2>&1 ||
		{ echo "bench: cannot install @pgkit/migra; skipping the comparison" >&2; migra=; }
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/pgdrift-bench.XXXXXX")
chmod 0755 "$work" # the server (user postgres) must reach its socket dir
trap 'scripts/pg-sandbox.sh stop "$work/pg" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

# dynamic vs static: `pgdrift expected` on the twin sets, 21 runs each,
# alternating, medians of wall time and of CPU time (user + system, both
# threads: the DO blocks' PL/pgSQL is read ahead on a second one)
dynamic_bench() {
	local n=$1 d="$work/dyn"
	scripts/gen-scale.sh --profile dynamic "$n" "$d" 2>/dev/null
	build/pgdrift expected --migrations "$d/static" >"$work/exp_static" 2>/dev/null || true
	build/pgdrift expected --migrations "$d/dynamic" >"$work/exp_dynamic" 2>/dev/null || true
	local same=no
	cmp -s "$work/exp_static" "$work/exp_dynamic" && same=yes
	python3 - "$n" "$d" "$same" "$(grep -c 'PGD901\|unmodeled' "$work/exp_dynamic" || true)" <<'PY'
import resource, statistics, subprocess, sys, time
n, d, same, unmodeled = sys.argv[1:5]
wall = {"static": [], "dynamic": []}
cpu = {"static": [], "dynamic": []}
for _ in range(21):
    for kind in ("static", "dynamic"):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(["build/pgdrift", "expected", "--migrations", f"{d}/{kind}"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        t1 = time.perf_counter()
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall[kind].append((t1 - t0) * 1000)
        cpu[kind].append((r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime) * 1000)
m = {k: (statistics.median(wall[k]), statistics.median(cpu[k])) for k in wall}
print(f"{'DO+calls':8s} {'static ms':>16s} {'dynamic ms':>16s} {'ratio':>11s} {'same model':>11s} {'unmodeled':>10s}")
print(f"{'':8s} {'wall / CPU':>16s} {'wall / CPU':>16s} {'wall / CPU':>11s}")
print(f"{n:8s} {m['static'][0]:7.1f} / {m['static'][1]:6.1f} {m['dynamic'][0]:7.1f} / {m['dynamic'][1]:6.1f} "
      f"{m['dynamic'][0] / m['static'][0]:5.2f} / {m['dynamic'][1] / m['static'][1]:4.2f} {same:>11s} {unmodeled:>10s}")
PY
}

if [[ -n "$dyn_only" ]]; then
	dynamic_bench "$dyn_n"
	exit 0
fi

# timed OUT CMD... : runs CMD (stdout discarded), appends "wall_ms cpu_ms kb" to OUT
timed() {
	local out=$1
	shift
	/usr/bin/time -f "%e %U %S %M" -o "$work/t" "$@" >/dev/null 2>>"$work/err" || true
	awk '{printf "%d %d %d\n", $1 * 1000, ($2 + $3) * 1000, $4}' "$work/t" >>"$out"
}
col() { cut -d' ' -f"$1" "$2" | median; }
# instructions CMD... : callgrind's total instruction count of CMD
instructions() {
	valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" "$@" \
		>/dev/null 2>"$work/cg.log" || true
	sed -n 's/.*Collected : *\([0-9]*\).*/\1/p' "$work/cg.log" | tail -1
}
ratio() { python3 -c "import sys; a, b = float(sys.argv[1] or 0), float(sys.argv[2] or 0); print(f'{a / b:.2f}x' if b else '-')" "$1" "$2"; }
gi() { python3 -c "import sys; print(f'{int(sys.argv[1]) / 1e9:.2f}' if sys.argv[1] else '-')" "${1:-}"; }
load() { echo "load average $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"; }

echo "Wall clock on a shared machine is noisy: compare CPU seconds and instructions (Ginstr, callgrind)."
if [[ -n "$profiles" ]]; then
echo
echo "1. parse+replay vs libpg_query's raw parse, N=$profile_n tables ($(load))"
cols='%-10s %-6s %6s %6s | %8s %8s %6s | %8s %8s %6s | %7s %7s %6s | %11s %6s\n'
printf "$cols" profile layout files MB "exp cpu" "raw cpu" ratio "exp wall" "raw wall" ratio \
	"exp Gi" "raw Gi" ratio "own-pack Gi" ratio
for profile in $(scripts/gen-scale.sh --list-profiles); do
	for layout in small large; do
		[[ "$profile" == mixed && "$layout" == large ]] && continue # mixed has one layout
		dir="$work/p-$profile-$layout"
		scripts/gen-scale.sh --profile "$profile" --layout "$layout" "$profile_n" "$dir" 2>/dev/null
		: >"$work/exp" ; : >"$work/raw"
		for _ in 1 2 3; do
			timed "$work/exp" build/pgdrift expected --migrations "$dir"
			timed "$work/raw" build/tests/bench_rawparse "$dir"
		done
		ei= ri= pi=
		if [[ -n "$callgrind" ]]; then
			ei=$(instructions build/pgdrift expected --migrations "$dir")
			ri=$(instructions build/tests/bench_rawparse "$dir")
			pi=$(instructions build/tests/bench_rawparse_pb "$dir")
		fi
		mb=$(du -cb "$dir"/*.sql | tail -1 | awk '{printf "%.1f", $1 / 1048576}')
		ec=$(col 2 "$work/exp") rc=$(col 2 "$work/raw")
		ew=$(col 1 "$work/exp") rw=$(col 1 "$work/raw")
		printf "$cols" "$profile" "$layout" "$(ls "$dir" | wc -l)" "$mb" \
			"$ec ms" "$rc ms" "$(ratio "$ec" "$rc")" "$ew ms" "$rw ms" "$(ratio "$ew" "$rw")" \
			"$(gi "$ei")" "$(gi "$ri")" "$(ratio "$ei" "$ri")" "$(gi "$pi")" "$(ratio "$ei" "$pi")"
		rm -rf "$dir"
	done
done
echo "($(load))"
echo
dynamic_bench "$profile_n"
fi
if [[ -n "$refs" ]]; then
	echo
	bench_refs "$work"
fi
[[ -n "$check$fleet" ]] || exit 0

echo
eval "$(scripts/pg-sandbox.sh start "$work/pg")"
export PGOPTIONS="-c client_min_messages=warning"
if [[ -n "$check" ]]; then
echo "2. check end to end, policies profile, small files ($(load))"
cols='%-6s %9s %9s %9s %8s %9s %10s %7s %10s %7s %7s %9s %9s %8s\n'
printf "$cols" N "apply ms" "check ms" "check cpu" "peak MB" "floor ms" "introsp ms" ratio \
	"K=1 ms" ratio "vs apply" "migra ms" "apply+migra" "vs both"
psql -X -Atc 'show server_version_num' >"$work/vnum"
build/tests/bench_catalog_sql "$(cat "$work/vnum")" >"$work/floor.sql"
for n in "${sizes[@]}"; do
	dir="$work/m$n"
	scripts/gen-scale.sh --profile policies "$n" "$dir" 2>/dev/null
	db="bench_$n"
	createdb "$db"
	t0=$(date +%s%N)
	scripts/apply-migrations.sh --stub fixtures/supabase/stub.sql "$db" "$dir"
	apply_ms=$((($(date +%s%N) - t0) / 1000000))
	: >"$work/chk"
	for _ in 1 2 3 4 5; do
		timed "$work/chk" build/pgdrift check --migrations "$dir" --db "dbname=$db" --timings
	done
	check_ms=$(col 1 "$work/chk") check_cpu=$(col 2 "$work/chk")
	peak_mb=$(($(cut -d' ' -f3 "$work/chk" | sort -n | tail -1) / 1024))
	fls=() ims=() i1s=()
	for _ in 1 2 3; do
		fls+=("$(psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f "$work/floor.sql" |
			awk '/^Time:/ {s += $2} END {printf "%d\n", s}')")
		build/pgdrift snapshot --db "dbname=$db" --timings >/dev/null 2>"$work/snap" || true
		ims+=("$(sed -n 's/.*timing introspect *\([0-9]*\).* ms.*/\1/p' "$work/snap")")
		build/pgdrift snapshot --db "dbname=$db" --timings --connections 1 >/dev/null 2>"$work/snap" || true
		i1s+=("$(sed -n 's/.*timing introspect *\([0-9]*\).* ms.*/\1/p' "$work/snap")")
	done
	floor_ms=$(printf '%s\n' "${fls[@]}" | median)
	intro_ms=$(printf '%s\n' "${ims[@]}" | median)
	intro1_ms=$(printf '%s\n' "${i1s[@]}" | median)
	migra_ms=- both_ms=- vs_both=-
	if [[ -n "$migra" ]]; then
		# the shadow database a user would build is the applied one:
		# apply_ms is its cost; migra then diffs it against the target
		createdb -T "$db" "${db}_shadow"
		url() { echo "postgresql://${PGUSER:-postgres}@localhost/$1?host=$PGHOST&port=$PGPORT"; }
		t0=$(date +%s%N)
		"$migra_bin" run "$(url "${db}_shadow")" "$(url "$db")" --unsafe true >/dev/null 2>>"$work/err" || true
		migra_ms=$((($(date +%s%N) - t0) / 1000000))
		both_ms=$((apply_ms + migra_ms))
		vs_both=$(ratio "$both_ms" "$check_ms")
		dropdb "${db}_shadow"
	fi
	printf "$cols" "$n" "$apply_ms" "$check_ms" "$check_cpu" "$peak_mb" "$floor_ms" "$intro_ms" \
		"$(ratio "$intro_ms" "$floor_ms")" "$intro1_ms" "$(ratio "$intro1_ms" "$floor_ms")" \
		"$(ratio "$apply_ms" "$check_ms")" "$migra_ms" "$both_ms" "$vs_both"
	dropdb "$db"
	rm -rf "$dir"
done
fi

# ---- 3. the fleet row
if [[ -n "$fleet" ]]; then
fleet_n=${FLEET_N:-100}
mig=fixtures/storytailor/migrations
createdb bench_fleet_tpl
scripts/apply-migrations.sh --stub fixtures/supabase/stub.sql bench_fleet_tpl "$mig" >/dev/null
: >"$work/fleet.list"
for i in $(seq -w 1 "$fleet_n"); do
	createdb -T bench_fleet_tpl "bench_fleet_$i"
	printf 'tenant_%s\tdbname=bench_fleet_%s\n' "$i" "$i" >>"$work/fleet.list"
done
build/pgdrift check --migrations "$mig" --db-list "$work/fleet.list" --no-rls \
	>/dev/null 2>&1 || true # warm the server's caches once
fcols='%-22s %5s %9s %8s %10s\n'
echo
echo "3. fleet ($(load))"
printf "$fcols" "fleet ($fleet_n databases)" K "wall ms" "peak MB" "dbs/s"
t0=$(date +%s.%N)
for i in $(seq -w 1 "$fleet_n"); do
	build/pgdrift check --migrations "$mig" --db "dbname=bench_fleet_$i" \
		--no-history >/dev/null 2>&1 || true
done
t1=$(date +%s.%N)
single_ms=$(python3 -c "print(int(($t1 - $t0) * 1000))")
printf "$fcols" "$fleet_n single checks" 1 "$single_ms" - \
	"$(python3 -c "print(f'{$fleet_n / max($single_ms, 1) * 1000:.1f}')")"
for k in 1 4 8; do
	walls=() peak=0
	for _ in 1 2 3; do
		/usr/bin/time -f "%e %M" -o "$work/t" build/pgdrift check --migrations "$mig" \
			--db-list "$work/fleet.list" --jobs "$k" --format json -o "$work/fleet.json" \
			2>/dev/null || true
		read -r secs kb <"$work/t"
		walls+=("$(ms "$secs")")
		((kb > peak)) && peak=$kb
	done
	wall=$(printf '%s\n' "${walls[@]}" | median)
	printf "$fcols" "check --db-list" "$k" "$wall" "$((peak / 1024))" \
		"$(python3 -c "print(f'{$fleet_n / max($wall, 1) * 1000:.1f}')")"
done
read -r nread <<<"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["ok"])' "$work/fleet.json")"
echo "fleet: $nread of $fleet_n databases read in the last run" >&2
fi
echo "($(load); $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -m); PostgreSQL $(psql -Atc 'show server_version'))"
