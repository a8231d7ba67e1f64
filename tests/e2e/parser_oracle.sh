#!/usr/bin/env bash
# parser_oracle.sh - every case in fixtures/parser is applied to a fresh
# PostgreSQL database (from a template holding the Supabase stub), and the
# catalog reader must see exactly the expected lines: the case files state
# PostgreSQL's truth, not pgdrift's opinion.
. "$(dirname "$0")/lib.sh"
require_pg

tpl=pgd_e2e_cases_tpl
fresh_db "$tpl" >/dev/null
trap 'dropdb --if-exists "$tpl" >/dev/null 2>&1' EXIT
psql -X -q -v ON_ERROR_STOP=1 -d "$tpl" -f "$PGDRIFT_SRC/fixtures/supabase/stub.sql" >/dev/null ||
	bail "the Supabase stub does not apply"
# the runner prints the TAP lines itself
PGDRIFT_CASES_TEMPLATE=$tpl "$PGDRIFT_RUN_CASES" --oracle "$PGDRIFT_SRC/fixtures/parser"
