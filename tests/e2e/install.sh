#!/usr/bin/env bash
# install.sh - `meson install` puts the binary, the manual page, the GitLab
# template and the Supabase stub where a packager expects them; the installed
# binary runs; and the manual page documents every command and option that
# `pgdrift --help` prints (the two never disagree).
source "$PGDRIFT_SRC/tests/e2e/lib.sh"
: "${PGDRIFT_BUILD:?PGDRIFT_BUILD must point at the build directory}"

dest=$(mktemp -d "${TMPDIR:-/tmp}/pgdrift-install.XXXXXX")
trap 'rm -rf "$dest"' EXIT

meson install -C "$PGDRIFT_BUILD" --destdir "$dest" --no-rebuild --quiet >/dev/null 2>&1
ok $? "meson install --destdir succeeds"

prefix=$(meson introspect "$PGDRIFT_BUILD" --buildoptions |
	python3 -c 'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"]=="prefix"))')
bin="$dest$prefix/bin/pgdrift"
man=$(find "$dest" -path '*/man1/pgdrift.1*' | head -n 1)
share="$dest$prefix/share/pgdrift"

ok "$([[ -x "$bin" ]]; echo $?)" "the binary is installed under bin/"
like "$("$bin" --version 2>&1)" '^pgdrift [0-9]+\.[0-9]+\.[0-9]+ \(libpg_query grammar PostgreSQL 1[0-9]\.' \
	"the installed binary names its version and grammar"
ok "$([[ -n "$man" ]]; echo $?)" "the manual page is installed under share/man/man1"
cmp -s "$share/pgdrift.gitlab-ci.yml" "$PGDRIFT_SRC/scripts/ci/pgdrift.gitlab-ci.yml"
ok $? "the GitLab CI template is installed under share/pgdrift"
cmp -s "$share/supabase-stub.sql" "$PGDRIFT_SRC/fixtures/supabase/stub.sql"
ok $? "the Supabase stub is installed under share/pgdrift"

# the page renders without groff warnings
warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$PGDRIFT_SRC/docs/pgdrift.1" 2>&1 >/dev/null)
is "$warnings" "" "the manual page renders without warnings"

# every option and command of --help is in the manual page
page=$(tr -d '\\' <"$PGDRIFT_SRC/docs/pgdrift.1")
help=$("$bin" --help)
missing=()
while read -r opt; do
	[[ -z "$opt" ]] && continue
	grep -q -- "$opt" <<<"$page" || missing+=("$opt")
done < <(grep -oE -- '(^|[ ,[(|])--?[a-z][a-z-]*' <<<"$help" | sed 's/^[ ,[(|]//' | sort -u)
is "${missing[*]:-}" "" "every option --help prints is in the manual page"
commands=$(sed -n '/^Commands:/,/^$/p' <<<"$help" | awk 'NR>1 && /^  [a-z]/ {print $1}')
ok "$([[ -n "$commands" ]]; echo $?)" "--help lists commands"
missing=()
for c in $commands; do
	grep -q "^\.SS $c\$" <<<"$page" || missing+=("$c")
done
is "${missing[*]:-}" "" "every command --help lists has its section in the manual page"

# a test of the test: an option the page lacks is caught
grep -q -- "--no-such-option" <<<"$page"
ok "$([[ $? -ne 0 ]]; echo $?)" "the check would catch an undocumented option"

done_testing
