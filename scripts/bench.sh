#!/usr/bin/env bash
# bench.sh [N...] - how fast pgdrift audits, against what a shadow-database
# tool pays just to apply the migrations. For each N (default 100 1000
# 10000): generate a scale set (scripts/gen-scale.sh), apply it to a fresh
# database in a throwaway PostgreSQL (timed: the cost pgdrift avoids), then
# time `pgdrift check` end to end (median of 5, peak RSS from
# /usr/bin/time) and `pgdrift expected` alone, and print a table.
# Not part of the test suite: speed targets live here, not in timed tests.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
((${#sizes[@]})) || sizes=(100 1000 10000)

scripts/bootstrap.sh
[[ -f build/build.ninja ]] || meson setup build -Dbuildtype=release >/dev/null
ninja -C build pgdrift >/dev/null
work=$(mktemp -d "${TMPDIR:-/tmp}/pgdrift-bench.XXXXXX")
chmod 0755 "$work" # the server (user postgres) must reach its socket dir
trap 'scripts/pg-sandbox.sh stop "$work/pg" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
eval "$(scripts/pg-sandbox.sh start "$work/pg")"
export PGOPTIONS="-c client_min_messages=warning"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ms() { python3 -c 'import sys,time; print(int(float(sys.argv[1]) * 1000))' "$1"; }

printf '%-7s %8s %10s %12s %12s %10s %8s %8s\n' N files "apply ms" "check ms" "expected ms" "peak MB" queries "x faster"
for n in "${sizes[@]}"; do
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
	ratio=$(python3 -c "print(f'{$apply_ms / max($check_ms, 1):.1f}')")
	printf '%-7s %8s %10s %12s %12s %10s %8s %8s\n' "$n" "$(ls "$dir" | wc -l)" "$apply_ms" \
		"$check_ms" "$exp_ms" "$peak_mb" "$queries" "$ratio"
	dropdb "$db"
done
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -m); PostgreSQL $(psql -Atc 'show server_version')" >&2
