#!/usr/bin/env bash
# test.sh - the one way to run pgdrift's tests, locally and in CI.
#
# Installs what is missing (scripts/bootstrap.sh), configures with warnings
# as errors, builds, starts a throwaway PostgreSQL 15 (scripts/pg-sandbox.sh),
# runs every suite (unit, golden, e2e), stops the sandbox even on failure and
# ends with one line "N passed, N failed" (every TAP case counted).
#
#   scripts/test.sh                  plain build; in CI (CI=true) also the
#                                    server matrix, the ASan+UBSan build and
#                                    the ThreadSanitizer one
#   scripts/test.sh --sanitize       the ASan+UBSan build only
#   scripts/test.sh --tsan           the ThreadSanitizer build only: the
#                                    tests of what runs on two threads
#                                    (readahead: the DO read-ahead)
#   scripts/test.sh --all            the plain and ASan+UBSan builds
#   scripts/test.sh --suite unit     one suite (unit, golden or e2e)
#   scripts/test.sh --matrix         also the server matrix (as in CI)
#   scripts/test.sh --pg N           the suites against PostgreSQL N (15-18)
#                                    instead of 15 (also PGDRIFT_PG=N)
#   any further arguments go to 'meson test' (e.g. a test name)
#
# The server matrix, plain build only: after the suites on 15, the
# server-backed e2e tests in full on 17 (MATRIX_FULL) and a smoke check on
# 16 and 18 (MATRIX_SMOKE: Storytailor applied and audited clean, the
# replay equal to the catalog, every fixtures/drift case found), each on its
# own sandbox. In CI a server that cannot be installed or started is a
# failure; elsewhere its tests are counted as skipped.
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)

MATRIX_FULL=(17)
MATRIX_SMOKE=(16 18)
# the server-backed e2e tests run on every version of MATRIX_FULL
FULL_TESTS=(catalog oracle drift rls history baseline fleet platform)
SMOKE_TESTS=(oracle drift)

# the RLS facts the replay notes from a canonical tree are checked against
# those of its printed text on every policy every test replays
# (src/normalize/facts.c, pgd_norm_facts_note)
export PGDRIFT_VERIFY_FACTS=1

in_ci=false
[[ "${CI:-}" == true ]] && in_ci=true
builds=(plain)
matrix=false
if $in_ci; then builds=(plain sanitize tsan); matrix=true; fi
pg=${PGDRIFT_PG:-15}
meson_test_args=()
while (($#)); do
	case "$1" in
	--sanitize) builds=(sanitize); shift ;;
	--tsan) builds=(tsan); shift ;;
	--all) builds=(plain sanitize); shift ;;
	--suite) meson_test_args+=(--suite "${2:?}"); shift 2 ;;
	--matrix) matrix=true; shift ;;
	--pg) pg=${2:?--pg needs a version}; shift 2 ;;
	*) meson_test_args+=("$1"); shift ;;
	esac
done
# a run narrowed to a suite or a test is not the matrix
((${#meson_test_args[@]} == 0)) || matrix=false

scripts/bootstrap.sh

sandboxes=()
cleanup() {
	local sb
	for sb in "${sandboxes[@]}"; do
		scripts/pg-sandbox.sh stop "$sb" || true
		rm -rf "$sb"
	done
}
trap cleanup EXIT
sandbox=$(mktemp -d "${TMPDIR:-/tmp}/pgdrift-test.XXXXXX")
sandboxes+=("$sandbox")
eval "$(scripts/pg-sandbox.sh start "$sandbox" --pg "$pg")"
export PGDRIFT_SANDBOX="$sandbox"
echo "== PostgreSQL $(psql -X -Atqc 'show server_version' -d postgres) in $sandbox" >&2

total_pass=0
total_fail=0
total_skip=0
status=0

count_results() { # build dir -> "pass fail skip" over every TAP case
	python3 - "$1/meson-logs/testlog.json" <<'PY'
import json, re, sys
p = f = s = 0
for line in open(sys.argv[1]):
    t = json.loads(line)
    out = t.get("stdout") or ""
    tap = [l for l in out.splitlines() if re.match(r"(not )?ok\b", l)]
    if tap:
        for l in tap:
            if re.search(r"#\s*skip", l, re.I): s += 1
            elif l.startswith("ok"): p += 1
            else: f += 1
        # a crash after some cases, or a bad plan, is one more failure
        if t["result"] not in ("OK", "SKIP") and not any(l.startswith("not ok") for l in tap):
            f += 1
    elif t["result"] == "OK": p += 1
    elif t["result"] == "SKIP": s += 1
    else: f += 1
print(p, f, s)
PY
}

# run_matrix_version DIR V TEST...: the named e2e tests of build DIR against
# a fresh PostgreSQL V sandbox; adds to the totals.
run_matrix_version() {
	local dir=$1 v=$2 sb env rc=0 p f s t0=$SECONDS
	shift 2
	sb=$(mktemp -d "${TMPDIR:-/tmp}/pgdrift-test-pg$v.XXXXXX")
	sandboxes+=("$sb")
	if ! env=$(scripts/pg-sandbox.sh start "$sb" --pg "$v"); then
		if $in_ci; then
			echo "== PostgreSQL $v: the server could not be installed or started: FAILED" >&2
			total_fail=$((total_fail + 1))
			status=1
		else
			echo "== PostgreSQL $v: the server could not be installed or started: $# tests skipped" >&2
			total_skip=$((total_skip + $#))
		fi
		return 0
	fi
	echo "== test (plain) on PostgreSQL $v: $*" >&2
	(
		eval "$env"
		export PGDRIFT_SANDBOX="$sb"
		meson test -C "$dir" --print-errorlogs --timeout-multiplier 3 --suite e2e "$@"
	) || rc=$?
	read -r p f s < <(count_results "$dir")
	if ((rc != 0 && f == 0)); then f=1; fi
	echo "== plain on PostgreSQL $v: $p passed, $f failed, $s skipped in $((SECONDS - t0)) s" >&2
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	total_skip=$((total_skip + s))
	((rc == 0)) || status=1
	scripts/pg-sandbox.sh stop "$sb" || true
}

for b in "${builds[@]}"; do
	dir="$root/build"
	opts=(-Dwerror=true)
	test_args=("${meson_test_args[@]}")
	if [[ "$b" == sanitize ]]; then
		dir="$root/build-sanitize"
		opts+=(-Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug)
	fi
	if [[ "$b" == tsan ]]; then
		# only the tests of code that runs on two threads: a race
		# makes pgdrift exit 66 with the report on stderr, which the
		# test compares with the one-thread run
		dir="$root/build-tsan"
		opts+=(-Db_sanitize=thread -Db_lundef=false)
		((${#test_args[@]})) || test_args=(readahead)
	fi
	if [[ -f "$dir/build.ninja" ]]; then
		meson configure "$dir" "${opts[@]}" >/dev/null
	else
		meson setup "$dir" "${opts[@]}" >/dev/null
	fi
	echo "== build ($b)" >&2
	ninja -C "$dir" >&2
	echo "== test ($b) on PostgreSQL $pg" >&2
	rc=0
	t0=$SECONDS
	ASAN_OPTIONS="abort_on_error=0:detect_leaks=1:${ASAN_OPTIONS:-}" \
	LSAN_OPTIONS="suppressions=$root/tests/lsan.supp:${LSAN_OPTIONS:-}" \
	UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}" \
	TSAN_OPTIONS="halt_on_error=1:exitcode=66:${TSAN_OPTIONS:-}" \
		meson test -C "$dir" --print-errorlogs --timeout-multiplier 3 \
		"${test_args[@]}" || rc=$?
	read -r p f s < <(count_results "$dir")
	echo "== $b: $p passed, $f failed, $s skipped in $((SECONDS - t0)) s" >&2
	if ((rc != 0 && f == 0)); then f=1; fi
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	total_skip=$((total_skip + s))
	((rc == 0)) || status=1
	if [[ "$b" == plain ]] && $matrix; then
		for v in "${MATRIX_FULL[@]}"; do
			run_matrix_version "$dir" "$v" "${FULL_TESTS[@]}"
		done
		for v in "${MATRIX_SMOKE[@]}"; do
			run_matrix_version "$dir" "$v" "${SMOKE_TESTS[@]}"
		done
	fi
done

echo "$total_pass passed, $total_fail failed, $total_skip skipped"
exit $status
