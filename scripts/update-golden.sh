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
# --screenshot: the README's picture of the RLS grid, from the browser
# test's own screenshot of tests/golden/rls_grid/expected.html
if [[ "${1:-}" == --screenshot ]]; then
	meson test -C build html-browser >/dev/null || true
	cp build/html-screenshots/rls_grid.png docs/rls-grid.png
	ls -l docs/rls-grid.png
fi
