#!/usr/bin/env bash
# test.sh - the one way to run pgdrift's tests, locally and in CI.
#
# Installs what is missing (scripts/bootstrap.sh), configures with warnings
# as errors, builds, starts a throwaway PostgreSQL 15 (scripts/pg-sandbox.sh),
# runs every suite (unit, golden, e2e), stops the sandbox even on failure and
# ends with one line "N passed, N failed" (every TAP case counted).
#
#   scripts/test.sh                  plain build; in CI (CI=true) also the
#                                    ASan+UBSan build
#   scripts/test.sh --sanitize       the ASan+UBSan build only
#   scripts/test.sh --all            both builds
#   scripts/test.sh --suite unit     one suite (unit, golden or e2e)
#   any further arguments go to 'meson test' (e.g. a test name)
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)

builds=(plain)
[[ "${CI:-}" == true ]] && builds=(plain sanitize)
meson_test_args=()
while (($#)); do
	case "$1" in
	--sanitize) builds=(sanitize); shift ;;
	--all) builds=(plain sanitize); shift ;;
	--suite) meson_test_args+=(--suite "${2:?}"); shift 2 ;;
	*) meson_test_args+=("$1"); shift ;;
	esac
done

scripts/bootstrap.sh

sandbox=$(mktemp -d "${TMPDIR:-/tmp}/pgdrift-test.XXXXXX")
cleanup() {
	scripts/pg-sandbox.sh stop "$sandbox" || true
	rm -rf "$sandbox"
}
trap cleanup EXIT
eval "$(scripts/pg-sandbox.sh start "$sandbox")"
export PGDRIFT_SANDBOX="$sandbox"

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

for b in "${builds[@]}"; do
	dir="$root/build"
	opts=(-Dwerror=true)
	if [[ "$b" == sanitize ]]; then
		dir="$root/build-sanitize"
		opts+=(-Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug)
	fi
	if [[ -f "$dir/build.ninja" ]]; then
		meson configure "$dir" "${opts[@]}" >/dev/null
	else
		meson setup "$dir" "${opts[@]}" >/dev/null
	fi
	echo "== build ($b)" >&2
	ninja -C "$dir" >&2
	echo "== test ($b)" >&2
	rc=0
	ASAN_OPTIONS="abort_on_error=0:detect_leaks=1:${ASAN_OPTIONS:-}" \
	LSAN_OPTIONS="suppressions=$root/tests/lsan.supp:${LSAN_OPTIONS:-}" \
	UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}" \
		meson test -C "$dir" --print-errorlogs --timeout-multiplier 3 \
		"${meson_test_args[@]}" || rc=$?
	read -r p f s < <(count_results "$dir")
	echo "== $b: $p passed, $f failed, $s skipped" >&2
	if ((rc != 0 && f == 0)); then f=1; fi
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	total_skip=$((total_skip + s))
	((rc == 0)) || status=1
done

echo "$total_pass passed, $total_fail failed, $total_skip skipped"
exit $status
