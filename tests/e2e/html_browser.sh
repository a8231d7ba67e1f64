#!/usr/bin/env bash
# html_browser.sh - the golden HTML reports (tests/golden/*/expected.html) in
# a real browser: headless Chromium (Debian's chromium, installed by
# scripts/bootstrap.sh) builds each page with its script run (--dump-dom),
# html_dom_check.py checks that DOM and the static page (grid, findings,
# verdict, escaped hostile identifiers, no injected element, th scope, lang,
# WCAG contrast of the grid colours), and a screenshot of each page is kept
# under $PGDRIFT_BUILD/html-screenshots/ for a person to look at.
# No chromium: a failure in CI (CI=true), skipped elsewhere.
. "$(dirname "$0")/lib.sh"

chromium=$(command -v chromium || command -v chromium-browser || true)
if [[ -z "$chromium" ]]; then
	if [[ "${CI:-}" == true ]]; then
		bail "chromium is not installed (scripts/bootstrap.sh installs it); in CI this is a failure"
	fi
	echo "1..0 # SKIP chromium not installed; scripts/bootstrap.sh installs it"
	exit 0
fi

shots="${PGDRIFT_BUILD:-$PWD}/html-screenshots"
mkdir -p "$shots"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

browser() { # browser ARGS...: one headless run with a fresh profile
	timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking --disable-component-update \
		--disable-sync --user-data-dir="$(mktemp -d "$tmp/profile.XXXXXX")" "$@"
}

n=0
for page in "$PGDRIFT_SRC"/tests/golden/*/expected.html; do
	dir=$(dirname "$page")
	name=$(basename "$dir")
	n=$((n + 1))
	browser --dump-dom "file://$page" >"$tmp/$name.dom" 2>"$tmp/$name.err"
	st=$?
	[[ $st -eq 0 && -s "$tmp/$name.dom" ]]
	ok $? "$name: chromium renders the page (--dump-dom)"
	[[ $st -eq 0 ]] || diag "$(tail -5 "$tmp/$name.err")"
	while IFS= read -r line; do
		case "$line" in
		PASS\ *) ok 0 "$name: ${line#PASS }" ;;
		FAIL\ *) ok 1 "$name: ${line#FAIL }" ;;
		esac
	done < <(python3 "$(dirname "$0")/html_dom_check.py" "$dir" "$tmp/$name.dom" 2>&1 ||
		echo "FAIL html_dom_check.py ran to the end")
	rm -f "$shots/$name.png"
	browser --screenshot="$shots/$name.png" --window-size=1000,760 \
		--hide-scrollbars "file://$page" >/dev/null 2>&1
	[[ "$(head -c 8 "$shots/$name.png" 2>/dev/null | od -An -tx1 | tr -d ' \n')" == 89504e470d0a1a0a ]]
	ok $? "$name: screenshot $shots/$name.png is a PNG"
done
((n >= 4))
ok $? "the golden cases with an HTML report ($n): clean, drift_mix, hostile_identifiers, hostile_html, rls_grid"

# the README's screenshot is this test's own output for the grid case
doc="$PGDRIFT_SRC/docs/rls-grid.png"
size=$(stat -c %s "$doc" 2>/dev/null || echo 0)
((size > 0 && size < 200000))
ok $? "docs/rls-grid.png exists and is small ($size bytes < 200000; scripts/update-golden.sh --screenshot remakes it)"
done_testing
