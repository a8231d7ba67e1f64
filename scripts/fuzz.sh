#!/usr/bin/env bash
# fuzz.sh - run one libFuzzer harness against pgdrift's library.
#
#   scripts/fuzz.sh replay 600       # the migration loader + replay, 10 minutes
#   scripts/fuzz.sh snapshot 600     # the JSON snapshot reader
#   scripts/fuzz.sh baseline 600     # the JSON baseline reader
#   scripts/fuzz.sh eval 600         # the PL/pgSQL interpreter (DO bodies)
#
# Builds with clang (-fsanitize=fuzzer,address,undefined) in build-fuzz/,
# seeds from fixtures/fuzz/TARGET/ (plus the parser cases and migration
# fixtures for replay), keeps the growing corpus in build-fuzz/corpus-TARGET,
# and copies any crasher to fixtures/fuzz/TARGET/crash-* so it can become a
# regression test (tests/fuzz/replay_corpus runs every file there).
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: $0 replay|snapshot|baseline|eval SECONDS}
secs=${2:-60}
case "$target" in replay|snapshot|baseline|eval) ;; *) echo "unknown target $target" >&2; exit 2 ;; esac

scripts/bootstrap.sh --fuzz
if [[ ! -f build-fuzz/build.ninja ]]; then
	CC=clang meson setup build-fuzz -Db_sanitize=address,undefined -Db_lundef=false \
		-Dbuildtype=debugoptimized -Dfuzz=true >/dev/null
fi
ninja -C build-fuzz "tests/fuzz_$target" >/dev/null

corpus="build-fuzz/corpus-$target"
mkdir -p "$corpus"
seeds=("fixtures/fuzz/$target")
if [[ "$target" == replay ]]; then
	# every parser case's SQL and every fixture migration is a seed
	awk '/^=== /{if (f) close(f); n++; f=sprintf("'"$corpus"'/case-%04d.sql", n); next}
	     /^---$/{if (f) close(f); f=""; next} f {print > f}' fixtures/parser/*.cases
	find fixtures -path '*/migrations/*.sql' -size -64k -exec cp {} "$corpus/" \; 2>/dev/null || true
fi
if [[ "$target" == eval ]]; then
	# the bodies of every DO block in the parser cases are seeds
	awk '/^=== /{n++} /\$\$/{c=gsub(/\$\$/,"&"); if (inb) {inb=0; next} if (c==1) {inb=1; f=sprintf("'"$corpus"'/do-%04d-%d.sql", n, NR); next}} inb {print > f}' \
		fixtures/parser/*.cases || true
fi
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1 \
	LSAN_OPTIONS="suppressions=$(pwd)/tests/lsan.supp" \
	"build-fuzz/tests/fuzz_$target" -max_total_time="$secs" -max_len=65536 \
	-artifact_prefix="fixtures/fuzz/$target/" -print_final_stats=1 \
	"$corpus" "${seeds[@]}"
