#!/usr/bin/env bash
# package.sh - the Debian package end to end: scripts/package.sh builds it
# (lintian: no errors), the GitLab template installs it (PGDRIFT_DEB), the installed pgdrift audits a
# freshly migrated database clean and finds drift in another, `man pgdrift`
# works, and dpkg removes it again. It installs into the system, so it runs
# only in CI (CI=true) or when PGDRIFT_PACKAGE_TEST=1, as root, and only in
# the plain build (the package is built from the source, not from this build).
source "$PGDRIFT_SRC/tests/e2e/lib.sh"

if [[ "${CI:-}" != true && "${PGDRIFT_PACKAGE_TEST:-}" != 1 ]]; then
	echo "1..0 # SKIP installs a package into the system: set PGDRIFT_PACKAGE_TEST=1 (CI does)"
	exit 0
fi
if [[ -n "${PGDRIFT_SANITIZED:-}" ]]; then
	echo "1..0 # SKIP the package is built once, in the plain build's run"
	exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
	[[ "${CI:-}" == true ]] && bail "the package test needs root in CI"
	echo "1..0 # SKIP dpkg -i needs root"
	exit 0
fi
require_pg
if dpkg-query -W -f='${Status}' pgdrift 2>/dev/null | grep -q 'install ok installed'; then
	bail "a pgdrift package is installed already; remove it first (dpkg -r pgdrift)"
fi

out=$(mktemp -d "${TMPDIR:-/tmp}/pgdrift-deb.XXXXXX")
cleanup() {
	dpkg -r pgdrift >/dev/null 2>&1 || true
	dropdb --if-exists pgd_pkg_clean >/dev/null 2>&1 || true
	dropdb --if-exists pgd_pkg_drift >/dev/null 2>&1 || true
	rm -rf "$out"
}
trap cleanup EXIT

deb=$("$PGDRIFT_SRC/scripts/package.sh" "$out" 2>"$out/package.log")
st=$?
ok $st "scripts/package.sh builds a .deb and lintian reports no error"
[[ $st -eq 0 && -f "$deb" ]] || { sed 's/^/# /' "$out/package.log" | tail -n 40; bail "no package"; }

deps=$(dpkg-deb -f "$deb" Depends)
like "$deps" 'libpq5' "Depends (from dh_shlibdeps) names libpq5"
like "$deps" 'libjansson4' "Depends names libjansson4"
like "$deps" 'libpg-query' "Depends names libpg_query's library package"

# installed the way the GitLab template installs it: its before_script with
# PGDRIFT_DEB set (apt-get update left out: the dependencies are here already)
script=$(python3 - "$PGDRIFT_SRC/scripts/ci/pgdrift.gitlab-ci.yml" <<'PY'
import sys, yaml
steps = yaml.safe_load(open(sys.argv[1]))[".pgdrift-build"]["before_script"]
print("\n".join(s for s in steps if not s.startswith("apt-get update")))
PY
)
PGDRIFT_DEB="$deb" bash -ec "$script" >"$out/install.log" 2>&1
st=$?
ok $st "the GitLab template's before_script installs the package from PGDRIFT_DEB"
((st == 0)) || sed 's/^/# /' "$out/install.log" | tail -n 20
dpkg-query -W -f='${Status}' pgdrift 2>/dev/null | grep -q 'install ok installed'
ok $? "dpkg knows the package as installed"
is "$(command -v pgdrift)" "/usr/bin/pgdrift" "pgdrift is on PATH from /usr/bin"
like "$(/usr/bin/pgdrift --version)" 'libpg_query grammar PostgreSQL' "the installed binary names its grammar"
like "$(MANWIDTH=80 man pgdrift 2>/dev/null | head -n 8)" 'pgdrift +- +drift +and +Row +Level' "man pgdrift works"
ok "$([[ -f /usr/share/pgdrift/supabase-stub.sql && -f /usr/share/pgdrift/pgdrift.gitlab-ci.yml ]]; echo $?)" \
	"the stub and the CI template are under /usr/share/pgdrift"

# the installed stub and binary audit a real database
migs="$PGDRIFT_SRC/fixtures/storytailor/migrations"
for db in pgd_pkg_clean pgd_pkg_drift; do
	dropdb --if-exists "$db" >/dev/null 2>&1 || true
	createdb "$db" || bail "createdb $db"
	"$PGDRIFT_SRC/scripts/apply-migrations.sh" --stub /usr/share/pgdrift/supabase-stub.sql \
		"$db" "$migs" >/dev/null 2>&1 || bail "the migrations do not apply to $db"
done
/usr/bin/pgdrift check --migrations "$migs" --db "dbname=pgd_pkg_clean" --no-history >"$out/clean.txt" 2>&1
is "$?" 0 "the installed pgdrift passes a freshly migrated database (exit 0)"
psql -X -q -d pgd_pkg_drift -c 'alter table public.stories disable row level security' >/dev/null
/usr/bin/pgdrift check --migrations "$migs" --db "dbname=pgd_pkg_drift" --no-history --format json -o "$out/drift.json" 2>/dev/null
is "$?" 1 "the installed pgdrift fails a drifted database (exit 1)"
like "$(cat "$out/drift.json")" '"code": *"PGD141"' "and names the drift (PGD141 rls_disabled)"

dpkg -r pgdrift >/dev/null 2>&1
ok $? "dpkg -r removes the package"
ok "$([[ ! -e /usr/bin/pgdrift ]]; echo $?)" "nothing is left in /usr/bin"

done_testing
