#!/usr/bin/env bash
# update-golden.sh - regenerate tests/golden/*/expected.<format> from the
# current build. Review the resulting diff like code before committing.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -f build/build.ninja ]] || meson setup build >/dev/null
ninja -C build tests/run_golden tests/run_inventory tests/run_refs >/dev/null
PGDRIFT_UPDATE_GOLDEN=1 build/tests/run_golden tests/golden
PGDRIFT_UPDATE_GOLDEN=1 build/tests/run_inventory . >/dev/null
PGDRIFT_UPDATE_GOLDEN=1 build/tests/run_refs . >/dev/null || true
git --no-pager diff --stat -- tests/golden || true
