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
# Then the fleet row: FLEET_N (default 100) Storytailor databases made
# from one template database (CREATE DATABASE ... TEMPLATE), checked by one
# `pgdrift check --db-list` at K=1, 4 and 8 connections (wall time, peak
# RSS, databases/s), beside FLEET_N separate single-database runs.
# `scripts/bench.sh --fleet` runs the fleet row alone.
# Not part of the test suite: speed targets live here, not in timed tests.
set -euo pipefail
cd "$(dirname "$0")/.."
fleet_only=0
if [[ "${1:-}" == --fleet ]]; then fleet_only=1; shift; fi
sizes=("$@")
((${#sizes[@]})) || sizes=(100 1000 10000)
((fleet_only)) && sizes=()

scripts/bootstrap.sh
[[ -f build/build.ninja ]] || meson setup build -Dbuildtype=release >/dev/null
ninja -C build pgdrift tests/bench_rawparse >/dev/null
work=$(mktemp -d "${TMPDIR:-/tmp}/pgdrift-bench.XXXXXX")
chmod 0755 "$work" # the server (user postgres) must reach its socket dir
trap 'scripts/pg-sandbox.sh stop "$work/pg" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
eval "$(scripts/pg-sandbox.sh start "$work/pg")"
export PGOPTIONS="-c client_min_messages=warning"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ms() { python3 -c 'import sys,time; print(int(float(sys.argv[1]) * 1000))' "$1"; }

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
