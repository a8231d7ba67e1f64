#!/usr/bin/env bash
# demo.sh - a drift audit on a throwaway database, start to finish:
# installs what is missing, builds, starts PostgreSQL 15, applies the
# Storytailor migrations, then a realistic hotfix drift (a policy added by
# hand, an index dropped, RLS switched off "for a minute", an extra column),
# and runs `pgdrift check` so you see the report. The sandbox is stopped at
# the end whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/bootstrap.sh
if [[ ! -f build/build.ninja ]]; then
	meson setup build >/dev/null
fi
ninja -C build >/dev/null

sandbox=$(mktemp -d "${TMPDIR:-/tmp}/pgdrift-demo.XXXXXX")
trap 'scripts/pg-sandbox.sh stop "$sandbox" >/dev/null 2>&1 || true; rm -rf "$sandbox"' EXIT
eval "$(scripts/pg-sandbox.sh start "$sandbox")"

createdb storytailor
echo "== applying fixtures/storytailor/migrations (26 files) to a fresh PostgreSQL 15" >&2
scripts/apply-migrations.sh --stub fixtures/supabase/stub.sql --record storytailor \
	fixtures/storytailor/migrations
echo "== pgdrift check on the freshly migrated database" >&2
build/pgdrift check --migrations fixtures/storytailor/migrations \
	--db "dbname=storytailor" --fail-on error >/dev/null &&
	echo "   clean: exit 0" >&2
echo "== a day in production: fixtures/demo/hotfix.sql" >&2
sed 's/^/   | /' fixtures/demo/hotfix.sql >&2
psql -X -q -v ON_ERROR_STOP=1 -d storytailor -f fixtures/demo/hotfix.sql
echo "== pgdrift check --migrations fixtures/storytailor/migrations --db dbname=storytailor --min-severity warning" >&2
rc=0
build/pgdrift check --migrations fixtures/storytailor/migrations \
	--db "dbname=storytailor" --min-severity warning || rc=$?
echo "== exit code $rc (0 clean, 1 findings at or above --fail-on, 2 usage," \
	"3 migration input, 4 database, 70 internal)" >&2
[[ $rc -eq 1 ]]
