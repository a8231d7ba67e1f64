# lib.sh - a small TAP producer for pgdrift's end-to-end tests.
# Source it, call plan or done_testing, and use ok / is / like / exit_is.
# require_pg: in CI (CI=true) a missing PostgreSQL fails the test; outside CI
# the test is reported as skipped ("1..0 # SKIP"), never silently passed. It
# runs against whatever server PGHOST/PGPORT name (scripts/test.sh starts
# 15, 16, 17 or 18); a server of another major version than the sandbox's
# PGDRIFT_PG_SERVER is a failure.

set -u
_tap_n=0
_tap_failed=0

: "${PGDRIFT_SRC:?PGDRIFT_SRC must point at the source tree}"
# server NOTICEs (IF NOT EXISTS skips and the like) are noise in TAP output
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"

ok() { # ok CONDITION_EXIT_STATUS NAME
	local st=$1; shift
	_tap_n=$((_tap_n + 1))
	if [[ "$st" -eq 0 ]]; then
		echo "ok $_tap_n - $*"
	else
		echo "not ok $_tap_n - $*"
		_tap_failed=$((_tap_failed + 1))
	fi
}

is() { # is GOT WANT NAME
	local got=$1 want=$2; shift 2
	if [[ "$got" == "$want" ]]; then
		ok 0 "$@"
	else
		ok 1 "$@"
		diag "got:  $(printf '%q' "$got")"
		diag "want: $(printf '%q' "$want")"
	fi
}

like() { # like GOT REGEX NAME
	local got=$1 re=$2; shift 2
	if [[ "$got" =~ $re ]]; then
		ok 0 "$@"
	else
		ok 1 "$@"
		diag "got:  $got"
		diag "does not match: $re"
	fi
}

diag() { printf '%s\n' "$*" | sed 's/^/# /'; }

done_testing() {
	echo "1..$_tap_n"
	[[ $_tap_failed -eq 0 ]]
	exit $?
}

bail() { echo "Bail out! $*"; exit 1; }

require_pg() {
	local num
	if num=$(psql -X -Atqc 'show server_version_num' -d postgres 2>/dev/null); then
		# the sandbox says which major version it started: a test never
		# runs silently against another server
		if [[ -n "${PGDRIFT_PG_SERVER:-}" && "$((num / 10000))" != "$PGDRIFT_PG_SERVER" ]]; then
			bail "the server is PostgreSQL $num, not the $PGDRIFT_PG_SERVER the sandbox was started for"
		fi
		echo "# PostgreSQL $num"
		return 0
	fi
	if [[ "${CI:-}" == true ]]; then
		bail "PostgreSQL is not reachable (PGHOST=${PGHOST:-unset} PGPORT=${PGPORT:-unset}); in CI this is a failure"
	fi
	# meson's TAP protocol takes a zero plan with SKIP and exit 0 as skipped
	echo "1..0 # SKIP PostgreSQL not reachable; run through scripts/test.sh"
	exit 0
}

# fresh_db NAME: drop and create a database, echo its name.
fresh_db() {
	dropdb --if-exists "$1" >/dev/null 2>&1 || true
	createdb "$1" || bail "createdb $1 failed"
	echo "$1"
}

# storytailor_db NAME: (re)creates database NAME holding the Supabase stub
# and the Storytailor migrations; bails when they do not apply. Call it
# directly, not in $(...), so that a bail ends the test.
storytailor_db() {
	dropdb --if-exists "$1" >/dev/null 2>&1 || true
	createdb "$1" || bail "createdb $1 failed"
	"$PGDRIFT_SRC/scripts/apply-migrations.sh" --stub "$PGDRIFT_SRC/fixtures/supabase/stub.sql" \
		"$1" "$PGDRIFT_SRC/fixtures/storytailor/migrations" >/dev/null 2>&1 ||
		bail "the Storytailor migrations do not apply to $1"
}
