#!/usr/bin/env bash
# bench.sh [N...] - how fast pgdrift audits, against what a shadow-database
# tool pays just to apply the migrations. For each N (default 100 1000
# 10000): generate a scale set (scripts/gen-scale.sh), apply it to a fresh
# database in a throwaway PostgreSQL (timed: the cost pgdrift avoids), then
# time `pgdrift check` end to end (median of 5, peak RSS from
# /usr/bin/time) and `pgdrift expected` alone, and print a table.
# Two lower bounds sit beside them: libpg_query alone on the same files
# (tests/bench_rawparse: scanner split of every file, parse of every
# statement that is not seed data; "replay/raw" is `pgdrift expected` over
# that), and the 18 catalog queries alone (their libpq round trips, summed
# from `pgdrift snapshot --verbose`: server work and transfer, no
# normalization). "objects/s" is catalog objects over the introspection
# phase of `pgdrift snapshot` (median of 3).
# Then the code scanner: `pgdrift refs` over a generated tree of 10,000 code
# files (scripts/gen-code.py; BENCH_REFS_FILES changes the count), median
# of 5 of the scan phase and of the whole command, peak RSS. Target: the
# scan under 2000 ms. `scripts/bench.sh refs` runs only that part (no
# PostgreSQL needed).
# Then the fleet row: FLEET_N (default 100) Storytailor databases made
# from one template database (CREATE DATABASE ... TEMPLATE), checked by one
# `pgdrift check --db-list` at K=1, 4 and 8 connections (wall time, peak
# RSS, databases/s), beside FLEET_N separate single-database runs.
# `scripts/bench.sh --fleet` runs the fleet row alone.
# Then the dynamic profile (gen-scale.sh --profile dynamic 1000): 1,000 DO
# blocks and top-level helper calls against the same schema written out
# statically; `pgdrift expected` on both (median of 5) must give the same
# model, and the dynamic set may take at most 2x the static one (issue 21).
# `bench.sh --dynamic-only [N]` runs just that part.
# Not part of the test suite: speed targets live here, not in timed tests.
set -euo pipefail
cd "$(dirname "$0")/.."
fleet_only=0
if [[ "${1:-}" == --fleet ]]; then fleet_only=1; shift; fi
dyn_only=false
dyn_n=1000
if [[ "${1:-}" == --dynamic-only ]]; then
	dyn_only=true
	dyn_n=${2:-1000}
	shift $#
fi
sizes=("$@")
((${#sizes[@]})) || sizes=(100 1000 10000)
((fleet_only)) && sizes=()

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
ninja -C build pgdrift tests/bench_rawparse >/dev/null
work=$(mktemp -d "${TMPDIR:-/tmp}/pgdrift-bench.XXXXXX")
chmod 0755 "$work" # the server (user postgres) must reach its socket dir
trap 'scripts/pg-sandbox.sh stop "$work/pg" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ms() { python3 -c 'import sys,time; print(int(float(sys.argv[1]) * 1000))' "$1"; }

# dynamic vs static: `pgdrift expected` on the twin sets
dynamic_bench() {
	local n=$1 d="$work/dyn"
	scripts/gen-scale.sh --profile dynamic "$n" "$d" 2>/dev/null
	local kind t
	declare -A med
	for kind in static dynamic; do
		t=()
		for _ in 1 2 3 4 5; do
			/usr/bin/time -f "%e" -o "$work/t" build/pgdrift expected \
				--migrations "$d/$kind" >"$work/exp_$kind" 2>"$work/err_$kind" || true
			t+=("$(ms "$(cat "$work/t")")")
		done
		med[$kind]=$(printf '%s\n' "${t[@]}" | median)
	done
	local same=no
	cmp -s "$work/exp_static" "$work/exp_dynamic" && same=yes
	printf '%-8s %10s %10s %7s %11s %10s\n' "DO+calls" "static ms" "dynamic ms" ratio \
		"same model" "unmodeled"
	printf '%-8s %10s %10s %7s %11s %10s\n' "$n" "${med[static]}" "${med[dynamic]}" \
		"$(python3 -c "print(f'{${med[dynamic]} / max(${med[static]}, 1):.2f}')")" "$same" \
		"$(grep -c 'PGD901\|unmodeled' "$work/exp_dynamic" || true)"
}

if $dyn_only; then
	dynamic_bench "$dyn_n"
	exit 0
fi

eval "$(scripts/pg-sandbox.sh start "$work/pg")"
export PGOPTIONS="-c client_min_messages=warning"

cols='%-7s %6s %9s %9s %9s %9s %8s %8s %10s %9s %8s %6s %8s\n'
((fleet_only)) || printf "$cols" N files "apply ms" "check ms" "expect ms" "raw ms" "repl/raw" \
	"query ms" "introsp ms" "objects/s" "peak MB" queries "x faster"
for n in "${sizes[@]+"${sizes[@]}"}"; do
	dir="$work/m$n"
	scripts/gen-scale.sh "$n" "$dir" 2>/dev/null
	db="bench_$n"
	createdb "$db"
	t0=$(date +%s.%N)
	scripts/apply-migrations.sh --stub fixtures/supabase/stub.sql "$db" "$dir"
	t1=$(date +%s.%N)
	apply_ms=$(python3 -c "print(int(($t1 - $t0) * 1000))")
	checks=()
	for _ in 1 2 3 4 5; do
		/usr/bin/time -f "%e %M" -o "$work/t" build/pgdrift check --migrations "$dir" \
			--db "dbname=$db" --timings >/dev/null 2>"$work/timings" || true
		read -r secs kb <"$work/t"
		checks+=("$(ms "$secs") $kb")
	done
	check_ms=$(printf '%s\n' "${checks[@]}" | cut -d' ' -f1 | median)
	peak_mb=$(( $(printf '%s\n' "${checks[@]}" | cut -d' ' -f2 | sort -n | tail -1) / 1024 ))
	queries=$(sed -n 's/.* \([0-9]*\) catalog queries.*/\1/p' "$work/timings")
	exp=()
	for _ in 1 2 3 4 5; do
		/usr/bin/time -f "%e" -o "$work/t" build/pgdrift expected --migrations "$dir" >/dev/null 2>&1
		exp+=("$(ms "$(cat "$work/t")")")
	done
	exp_ms=$(printf '%s\n' "${exp[@]}" | median)
	raws=()
	for _ in 1 2 3 4 5; do
		raws+=("$(build/tests/bench_rawparse "$dir" |
			awk '{printf "%d\n", $8 + $10}')")
	done
	raw_ms=$(printf '%s\n' "${raws[@]}" | median)
	qms=() ims=()
	for _ in 1 2 3; do
		build/pgdrift snapshot --db "dbname=$db" --verbose --timings \
			>/dev/null 2>"$work/snap"
		qms+=("$(awk '/pgdrift: query / {s += $(NF-1)} END {printf "%d\n", s}' "$work/snap")")
		ims+=("$(sed -n 's/.*timing introspect *\([0-9.]*\) ms.*/\1/p' "$work/snap")")
	done
	query_ms=$(printf '%s\n' "${qms[@]}" | median)
	intro_ms=$(printf '%s\n' "${ims[@]}" | median)
	objects=$(sed -n 's/.* \([0-9]*\) objects.*/\1/p' "$work/snap" | tail -1)
	ratio=$(python3 -c "print(f'{$apply_ms / max($check_ms, 1):.1f}')")
	replay_ratio=$(python3 -c "print(f'{$exp_ms / max($raw_ms, 1):.2f}')")
	per_s=$(python3 -c "print(int($objects / max($intro_ms, 1) * 1000))")
	printf "$cols" "$n" "$(ls "$dir" | wc -l)" "$apply_ms" "$check_ms" "$exp_ms" \
		"$raw_ms" "$replay_ratio" "$query_ms" "${intro_ms%.*}" "$per_s" \
		"$peak_mb" "$queries" "$ratio"
	dropdb "$db"
done
((fleet_only)) || { echo; dynamic_bench 1000; }
bench_refs "$work"

# ---- the fleet row
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

echo "machine: $(nproc) cores, load average $(cut -d" " -f1-3 /proc/loadavg), $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -m); PostgreSQL $(psql -Atc 'show server_version')" >&2
