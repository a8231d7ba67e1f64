#!/usr/bin/env bash
# baseline.sh - adopting pgdrift on a drifted database: --write-baseline
# accepts today's findings (with a reason), --baseline suppresses exactly
# those, new drift still fails the gate, fixed drift leaves stale entries
# (PGD902), expired entries stop suppressing (PGD903), and a malformed
# baseline is a usage error naming the line. Fingerprints are stable across
# runs and formats.
. "$(dirname "$0")/lib.sh"
require_pg

mig="$PGDRIFT_SRC/fixtures/storytailor/migrations"
tmp=$(mktemp -d)
db=pgd_e2e_baseline
trap 'dropdb --if-exists "$db" >/dev/null 2>&1; rm -rf "$tmp"' EXIT
storytailor_db "$db"
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f "$PGDRIFT_SRC/fixtures/demo/hotfix.sql" >/dev/null ||
	bail "the hotfix does not apply"
export PGDRIFT_TODAY=2026-11-25

check() { # check ARGS...: runs pgdrift check on the database, sets rc
	rc=0
	"$PGDRIFT" check --migrations "$mig" --db "dbname=$db" "$@" >"$tmp/stdout" 2>"$tmp/err" || rc=$?
}
codes() { # the sorted codes of a JSON report
	python3 -c 'import json,sys; print(" ".join(sorted(f["code"] for f in json.load(open(sys.argv[1]))["findings"])))' "$1"
}

check --format json:"$tmp/before.json"
is "$rc" 1 "the drifted database fails the gate"
nbefore=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["findings"]))' "$tmp/before.json")

check --write-baseline "$tmp/b.json"
is "$rc" 2 "--write-baseline without --reason is a usage error"
like "$(cat "$tmp/err")" 'needs --reason' "and says a reason is needed"
[[ ! -e "$tmp/b.json" ]]
ok $? "and writes nothing"

check --write-baseline "$tmp/b.json" --reason "hotfix INC-42, migration pending" \
	--format json:"$tmp/adopt.json"
is "$rc" 0 "writing a baseline adopts today's drift: exit 0"
n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["entries"]))' "$tmp/b.json")
is "$n" "$nbefore" "the baseline has one entry per finding ($nbefore)"
reasons=$(python3 -c 'import json,sys; print(set(e["reason"] for e in json.load(open(sys.argv[1]))["entries"]))' "$tmp/b.json")
is "$reasons" "{'hotfix INC-42, migration pending'}" "every entry keeps the reason"
fps_report=$(python3 -c 'import json,sys; print(" ".join(sorted(f["fingerprint"] for f in json.load(open(sys.argv[1]))["findings"])))' "$tmp/before.json")
fps_base=$(python3 -c 'import json,sys; print(" ".join(sorted(e["fingerprint"] for e in json.load(open(sys.argv[1]))["entries"])))' "$tmp/b.json")
is "$fps_base" "$fps_report" "baseline fingerprints are the report's"

check --baseline "$tmp/b.json" --format json:"$tmp/r1.json" --format text:"$tmp/r1.txt"
is "$rc" 0 "re-run with the baseline: exit 0"
is "$(codes "$tmp/r1.json")" "" "and no finding is left"
like "$(tail -1 "$tmp/r1.txt")" "$nbefore suppressed by baseline" "the summary counts what the baseline suppressed"

# fingerprints do not move between runs, and Code Quality uses them
check --format codequality:"$tmp/cq1.json"
check --format codequality:"$tmp/cq2.json"
cmp -s "$tmp/cq1.json" "$tmp/cq2.json"
ok $? "Code Quality report (fingerprints included) is identical across runs"
fps_cq=$(python3 -c 'import json,sys; print(" ".join(sorted(i["fingerprint"] for i in json.load(open(sys.argv[1])))))' "$tmp/cq1.json")
is "$fps_cq" "$fps_report" "Code Quality fingerprints are the baseline's"

# new drift: only the new finding
psql -X -q -d "$db" -c 'alter table public.users add column hotfix_two int' >/dev/null ||
	bail "cannot add the column"
check --baseline "$tmp/b.json" --format json:"$tmp/r2.json"
is "$rc" 0 "a new warning does not fail the default gate through the baseline"
is "$(codes "$tmp/r2.json")" "PGD112" "only the new finding is reported (unexpected_column)"
check --baseline "$tmp/b.json" --fail-on warning
is "$rc" 1 "and fails a --fail-on warning gate"

# fixed drift: stale entries, reported as info
psql -X -q -d "$db" -c 'alter table public.api_keys enable row level security' >/dev/null
check --baseline "$tmp/b.json" --format json:"$tmp/r3.json"
stale=$(python3 -c 'import json,sys; print(len([f for f in json.load(open(sys.argv[1]))["findings"] if f["code"] == "PGD902"]))' "$tmp/r3.json")
like "$stale" '^[1-9]' "entries whose drift was fixed are reported stale (PGD902): $stale"
sev=$(python3 -c 'import json,sys; print(set(f["severity"] for f in json.load(open(sys.argv[1]))["findings"] if f["code"] == "PGD902"))' "$tmp/r3.json")
is "$sev" "{'info'}" "stale entries are info"
line=$(python3 -c 'import json,sys; print([f["source"]["line"] for f in json.load(open(sys.argv[1]))["findings"] if f["code"] == "PGD902"][0])' "$tmp/r3.json")
like "$line" '^[1-9][0-9]*$' "a stale entry points at its line in the baseline"

# rewriting with the old baseline keeps old reasons, gives new ones the new reason
check --baseline "$tmp/b.json" --write-baseline "$tmp/b2.json" --reason "second pass"
is "$rc" 0 "rewriting the baseline: exit 0"
r=$(python3 -c 'import json,sys
e = json.load(open(sys.argv[1]))["entries"]
print(sorted(set((x["code"], x["reason"]) for x in e if x["code"] in ("PGD112", "PGD141") and "hotfix_two" in x.get("object", "") or x["code"] == "PGD141")))' "$tmp/b2.json")
is "$r" "[('PGD112', 'second pass')]" "the new finding gets the new reason; fixed ones are gone"
old=$(python3 -c 'import json,sys; print(len([x for x in json.load(open(sys.argv[1]))["entries"] if x["reason"] == "hotfix INC-42, migration pending"]))' "$tmp/b2.json")
like "$old" '^[1-9]' "entries still in force keep their first reason ($old)"
grep -q PGD902 "$tmp/b2.json"
ok $((!$?)) "stale-entry findings are never written into a baseline"

# expiry
check --write-baseline "$tmp/b3.json" --reason "until the sprint ends" --expires 2026-12-31
is "$rc" 0 "a baseline with an expiry date"
PGDRIFT_TODAY=2026-12-31 check --baseline "$tmp/b3.json" --format json:"$tmp/r4.json"
is "$rc" 0 "it suppresses up to and including its last day"
PGDRIFT_TODAY=2027-01-01 check --baseline "$tmp/b3.json" --format json:"$tmp/r5.json"
is "$rc" 1 "the day after, the findings fail the gate again"
exp=$(python3 -c 'import json,sys; print(len([f for f in json.load(open(sys.argv[1]))["findings"] if f["code"] == "PGD903"]))' "$tmp/r5.json")
n3=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["entries"]))' "$tmp/b3.json")
is "$exp" "$n3" "each expired entry says so (PGD903)"
check --write-baseline "$tmp/b4.json" --reason x --expires 2026-02-30
is "$rc" 2 "--expires with an impossible date is a usage error"

# malformed baselines: exit 2, naming the file and line, never a report
bad() { # bad NAME CONTENT REGEX
	printf '%s' "$2" >"$tmp/bad.json"
	rc=0
	"$PGDRIFT" check --migrations "$mig" --db "dbname=$db" --baseline "$tmp/bad.json" \
		>"$tmp/out" 2>"$tmp/err" || rc=$?
	is "$rc" 2 "malformed baseline ($1): exit 2"
	like "$(cat "$tmp/err")" "$3" "malformed baseline ($1): the message names the place"
	[[ ! -s "$tmp/out" ]]
	ok $? "malformed baseline ($1): no report"
}
bad "broken JSON" $'{\n  "format": "pgdrift.baseline/1",\n  "entries": [\n    {"fingerprint": "0123456789abcdef",\n' 'bad.json:5:[0-9]+: malformed baseline'
bad "wrong format" '{"format": "pgdrift.snapshot/1", "entries": []}' 'not a pgdrift baseline'
bad "no entries" '{"format": "pgdrift.baseline/1"}' 'needs an "entries" array'
bad "entry without a reason" $'{"format": "pgdrift.baseline/1",\n "entries": [\n  {"fingerprint": "0123456789abcdef", "reason": "ok"},\n\n  {"fingerprint": "1123456789abcdef"}\n]}' 'bad.json:5: baseline entry 2 has no "reason"'
bad "bad fingerprint" $'{"format": "pgdrift.baseline/1", "entries": [\n{"fingerprint": "xyz", "reason": "r"}]}' 'bad.json:2: baseline entry 1 .*16 lower-case hex'
bad "bad date" $'{"format": "pgdrift.baseline/1", "entries": [\n{"fingerprint": "0123456789abcdef", "reason": "r",\n "expires": "tomorrow"}]}' 'bad.json:2: baseline entry 1 has an "expires" that is not a date'
bad "duplicate fingerprint" $'{"format": "pgdrift.baseline/1", "entries": [\n{"fingerprint": "0123456789abcdef", "reason": "r"},\n{"fingerprint": "0123456789abcdef", "reason": "r"}]}' 'bad.json:3: fingerprint 0123456789abcdef is listed twice'
bad "entry not an object" $'{"format": "pgdrift.baseline/1", "entries": [\n  "0123456789abcdef"]}' 'bad.json:2: baseline entry 1 is not an object'
printf '{"format": "pgdrift.baseline/1",\0 "entries": []}' >"$tmp/nul.json"
rc=0; "$PGDRIFT" check --migrations "$mig" --db "dbname=$db" --baseline "$tmp/nul.json" >/dev/null 2>"$tmp/err" || rc=$?
is "$rc" 2 "a NUL byte in the baseline: exit 2"
rc=0; "$PGDRIFT" check --migrations "$mig" --db "dbname=$db" --baseline "$tmp/none.json" >/dev/null 2>"$tmp/err" || rc=$?
is "$rc" 2 "a missing baseline file: exit 2"
like "$(cat "$tmp/err")" 'cannot read baseline .*none.json' "and it says which file"

# a baseline never turns a failed read into a pass
rc=0
"$PGDRIFT" check --migrations "$mig" --db "host=/nonexistent dbname=$db" --baseline "$tmp/b.json" \
	>/dev/null 2>&1 || rc=$?
is "$rc" 4 "an unreachable database with a baseline: still exit 4"

# rls --migrations takes a baseline too
rc=0
"$PGDRIFT" rls --migrations "$mig" --write-baseline "$tmp/rls.json" --reason "reviewed" >/dev/null 2>&1 || rc=$?
is "$rc" 0 "rls: writing a baseline"
rc=0
"$PGDRIFT" rls --migrations "$mig" --baseline "$tmp/rls.json" --fail-on info >/dev/null 2>&1 || rc=$?
is "$rc" 0 "rls: the baseline suppresses every reviewed finding (--fail-on info)"
done_testing
