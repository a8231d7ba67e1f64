#!/usr/bin/env bash
# fleet.sh - one replay, many databases. In a sandbox of its own with
# scram-sha-256 on TCP (so a wrong password is refused): 20 Storytailor
# databases, each drifted by one fixtures/drift case, plus one with a wrong
# password, one that does not exist and one whose backend is terminated
# while pgdrift reads it (a lock on pg_policy holds the read, then
# pg_terminate_backend). Every row must be right, the exit code 4, and no
# password or connection string may reach any output. Then the shards
# 1/3, 2/3, 3/3 merged must equal the unsharded report, fingerprint for
# fingerprint, and a statement that waits past --timeout is an error row.
. "$(dirname "$0")/lib.sh"
require_pg

tmp=$(mktemp -d)
chmod 0755 "$tmp"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	"$PGDRIFT_SRC/scripts/pg-sandbox.sh" stop "$tmp/pg" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
eval "$("$PGDRIFT_SRC/scripts/pg-sandbox.sh" start "$tmp/pg" --auth scram-sha-256)" ||
	bail "cannot start a scram-sha-256 sandbox"
export PGD_FLEET_PW
PGD_FLEET_PW=$(cat "$tmp/pg/superuser.password")
export PGD_FLEET_BADPW=wrong-e2e-secret-5d1f
fx="$PGDRIFT_SRC/fixtures"
mig="$fx/storytailor/migrations"
storytailor_db fl_tpl

cases=()
for dir in "$fx"/drift/*/; do
	[[ -f "$dir/drift.sql" ]] && cases+=("$(basename "$dir")")
	((${#cases[@]} == 20)) && break
done
tcp="host=127.0.0.1 port=$PGPORT user=postgres"
list="$tmp/fleet.list"
{
	echo "# 20 drifted databases, then three that cannot be read"
	for c in "${cases[@]}"; do
		createdb -T fl_tpl "fl_$c" || bail "createdb fl_$c"
		psql -X -q -v ON_ERROR_STOP=1 -d "fl_$c" -f "$fx/drift/$c/drift.sql" >/dev/null 2>&1 ||
			bail "$c: drift.sql does not apply"
		printf '%s\t%s dbname=fl_%s password=${PGD_FLEET_PW}\n' "$c" "$tcp" "$c"
	done
	echo
	printf 'bad_password\t%s dbname=fl_%s password=$PGD_FLEET_BADPW\n' "$tcp" "${cases[0]}"
	printf 'ghost\t%s dbname=fl_ghost password=$PGD_FLEET_PW\n' "$tcp"
} >"$list"
cp "$list" "$tmp/stable.list"
createdb -T fl_tpl fl_killed || bail "createdb fl_killed"
printf 'killed\t%s dbname=fl_killed password=$PGD_FLEET_PW\n' "$tcp" >>"$list"

# the killed database: a lock on pg_policy holds pgdrift's policies query;
# a watcher terminates pgdrift's backend once it waits on that lock
psql -X -q -d fl_killed -c 'begin; lock table pg_catalog.pg_policy in access exclusive mode; select pg_sleep(120)' >/dev/null 2>&1 &
pids+=($!)
(
	for _ in $(seq 1 600); do
		n=$(psql -X -Atq -d postgres -c "select count(pg_terminate_backend(pid)) from pg_stat_activity where datname = 'fl_killed' and application_name = 'pgdrift' and wait_event_type = 'Lock'")
		[[ "$n" -gt 0 ]] && { echo terminated >"$tmp/watch"; exit 0; }
		sleep 0.1
	done
) &
pids+=($!)
sleep 0.5

out="$tmp/out"
mkdir -p "$out"
rc=0
"$PGDRIFT" check --migrations "$mig" --db-list "$list" --jobs 4 --timeout 60 \
	--format json:"$out/fleet.json" --format text:"$out/fleet.txt" \
	--format markdown:"$out/fleet.md" --format sarif:"$out/fleet.sarif" \
	--format junit:"$out/fleet.xml" --format codequality:"$out/fleet.cq.json" \
	>"$out/stdout" 2>"$out/stderr" || rc=$?
is "$rc" 4 "a fleet with unreadable databases exits 4"
[[ -f "$tmp/watch" ]]
ok $? "the watcher terminated pgdrift's backend mid-read"

# each drifted database: exactly its case's drift findings
for c in "${cases[@]}"; do
	got=$(python3 - "$out/fleet.json" "$c" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
d = [d for d in r["databases"] if d["name"] == sys.argv[2]][0]
print(d["status"], d["exit"])
print("\n".join(sorted(f"{f['name']} {f['object']}" for f in d["findings"] if f["category"] == "drift")))
PY
)
	want=$(grep -v '^#' "$fx/drift/$c/expected" | sed '/^$/d' | LC_ALL=C sort)
	errors=$(grep -v '^#' "$fx/drift/$c/expected" | sed '/^$/d' | wc -l)
	status=$(head -1 <<<"$got")
	[[ "$status" == ok\ [01] ]]
	ok $? "$c: read (status $status)"
	is "$(tail -n +2 <<<"$got")" "$want" "$c: exactly its drift findings"
done
row() { python3 -c 'import json,sys
r = json.load(open(sys.argv[1]))
d = [d for d in r["databases"] if d["name"] == sys.argv[2]][0]
print(d["status"], d["exit"], len(d["findings"]), d["error"])' "$out/fleet.json" "$1"; }
like "$(row bad_password)" '^error 4 0 .*password authentication failed' "bad_password: an error row (authentication)"
like "$(row ghost)" '^error 4 0 .*database "fl_ghost" does not exist' "ghost: an error row (no such database)"
like "$(row killed)" '^error 4 0 .*(terminat|closed the connection|lost)' "killed: an error row (backend terminated mid-read)"
n=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); s=r["summary"]; print(s["databases"], s["ok"], s["error"], s["exit"], r["format"])' "$out/fleet.json")
is "$n" "23 20 3 4 pgdrift.fleet/1" "the fleet summary: 23 databases, 20 read, 3 errors, exit 4"
n=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["summary"]; print(s["unmodeled"], s["completeness"])' "$out/fleet.json")
is "$n" "0 complete: every migration statement modeled" "the fleet report says how complete the replay was"
grep -qF 'completeness: complete: every migration statement modeled' "$out/fleet.txt" &&
	grep -qF 'Completeness: complete: every migration statement modeled' "$out/fleet.md"
ok $? "text and Markdown fleet reports carry the completeness line"

# every format carries every database
python3 - "$out" <<'PY'
import json, sys, xml.etree.ElementTree as ET
o = sys.argv[1]
sarif = json.load(open(o + "/fleet.sarif"))
assert len(sarif["runs"]) == 23, len(sarif["runs"])
assert sum(1 for r in sarif["runs"] if r.get("invocations")) == 3
suites = ET.parse(o + "/fleet.xml").getroot().findall("testsuite")
assert len(suites) == 23, len(suites)
cq = json.load(open(o + "/fleet.cq.json"))
fps = [i["fingerprint"] for i in cq]
assert len(fps) == len(set(fps)), "Code Quality fingerprints collide across databases"
assert sum(1 for i in cq if i["check_name"] == "database-error") == 3
PY
ok $? "SARIF has a run, JUnit a test suite per database; Code Quality fingerprints are unique across databases"
rows=$(awk '/^\| database \|/ {t=1; next} t && /^\|---/ {next} t && /^\| / {n++} t && /^$/ {exit} END {print n}' "$out/fleet.md")
is "$rows" 23 "Markdown: the fleet table has a row per database"
grep -qF '### 01\_missing\_table' "$out/fleet.md"
ok $? "Markdown: a section for a database with drift"
grep -q '^ghost: ERROR' "$out/fleet.txt"
ok $? "text: the short form has an error line per unreadable database"

# no password, no connection string, in any output
leak=0
for f in "$out"/*; do
	if grep -qF -e "$PGD_FLEET_PW" -e "$PGD_FLEET_BADPW" -e "password=" -e "port=$PGPORT" "$f"; then
		diag "leak in $(basename "$f")"
		leak=1
	fi
done
is "$leak" 0 "no password or connection string in any report, stdout or stderr"

# K does not change the results
rc=0
"$PGDRIFT" check --migrations "$mig" --db-list "$tmp/stable.list" --jobs 1 --format json \
	-o "$tmp/k1.json" 2>/dev/null || rc=$?
rc8=0
"$PGDRIFT" check --migrations "$mig" --db-list "$tmp/stable.list" --jobs 8 --format json \
	-o "$tmp/k8.json" 2>/dev/null || rc8=$?
cmp -s "$tmp/k1.json" "$tmp/k8.json"
ok $? "--jobs 1 and --jobs 8 give the same report (exit $rc, $rc8)"

# shards 1/3, 2/3, 3/3 merged equal the unsharded run
for s in 1 2 3; do
	"$PGDRIFT" check --migrations "$mig" --db-list "$tmp/stable.list" --shard "$s/3" \
		--format json -o "$tmp/shard$s.json" 2>/dev/null
done
n=$(python3 -c 'import json,sys; print(" ".join(str(len(json.load(open(f))["databases"])) for f in sys.argv[1:]))' "$tmp"/shard{1,2,3}.json)
like "$n" '^[0-9]+ [0-9]+ [0-9]+$' "three shards ($n databases)"
rc=0
"$PGDRIFT" merge "$tmp"/shard{1,2,3}.json --format json -o "$tmp/merged.json" \
	--format junit:"$tmp/merged.xml" 2>"$tmp/merge.err" || rc=$?
is "$rc" 4 "merge: the exit code the merged fleet implies (4)"
fps() { python3 -c 'import json,sys
r = json.load(open(sys.argv[1]))
print("\n".join(sorted(d["name"] + " " + f["fingerprint"] for d in r["databases"] for f in d["findings"])))' "$1"; }
is "$(fps "$tmp/merged.json")" "$(fps "$tmp/k1.json")" "merged shards: fingerprint for fingerprint the unsharded report"
cmp -s "$tmp/merged.json" "$tmp/k1.json"
ok $? "merged shards: the same JSON report byte for byte"
xmllint --noout "$tmp/merged.xml" 2>/dev/null
ok $? "merge writes other formats too (JUnit well-formed)"
rc=0
"$PGDRIFT" merge "$tmp/shard1.json" "$tmp/shard1.json" >/dev/null 2>"$tmp/dup.err" || rc=$?
is "$rc" 2 "merge refuses a database given twice"

# rls and diff take a fleet too
printf 'clean\t%s dbname=fl_tpl password=$PGD_FLEET_PW\ndropped\t%s dbname=fl_01_missing_table password=$PGD_FLEET_PW\n' "$tcp" "$tcp" >"$tmp/two.list"
rc=0
"$PGDRIFT" rls --db-list "$tmp/two.list" --format json -o "$tmp/rls.json" 2>/dev/null || rc=$?
got=$(python3 -c 'import json,sys
r = json.load(open(sys.argv[1]))
print(r["command"], " ".join(d["name"] + ":" + str(sum(f["category"] == "rls" for f in d["findings"]) > 0) for d in r["databases"]))' "$tmp/rls.json")
is "$got" "rls clean:True dropped:True" "rls --db-list: the RLS review of each database (exit $rc)"
"$PGDRIFT" snapshot --db "dbname=fl_tpl" --format json -o "$tmp/snap.json" 2>/dev/null
rc=0
"$PGDRIFT" diff "$tmp/snap.json" --db-list "$tmp/two.list" --format json -o "$tmp/diff.json" 2>/dev/null || rc=$?
is "$rc" 1 "diff SNAPSHOT --db-list: exit 1 (one database drifted from the snapshot)"
got=$(python3 -c 'import json,sys
r = json.load(open(sys.argv[1]))
print(" ".join(d["name"] + ":" + ",".join(f["name"] for f in d["findings"] if f["severity"] == "error") for d in r["databases"]))' "$tmp/diff.json")
is "$got" "clean: dropped:missing_table" "diff SNAPSHOT --db-list: each database against the snapshot"

# a baseline entry for one database, and one for every database
fp=$(python3 -c 'import json,sys
r = json.load(open(sys.argv[1]))
print([f["fingerprint"] for d in r["databases"] if d["name"] == "dropped" for f in d["findings"] if f["name"] == "missing_table"][0])' "$tmp/diff.json")
printf '{"format": "pgdrift.baseline/1", "entries": [\n{"fingerprint": "%s", "reason": "known", "database": "dropped"}\n]}\n' "$fp" >"$tmp/bl.json"
rc=0
"$PGDRIFT" diff "$tmp/snap.json" --db-list "$tmp/two.list" --baseline "$tmp/bl.json" --format json -o "$tmp/diff_bl.json" 2>/dev/null || rc=$?
is "$rc" 0 "a baseline entry naming the database accepts its drift: exit 0"
got=$(python3 -c 'import json,sys
r = json.load(open(sys.argv[1]))
print(" ".join(d["name"] + ":" + str(d["summary"]["suppressed"]) for d in r["databases"]), r["summary"]["suppressed"])' "$tmp/diff_bl.json")
is "$got" "clean:0 dropped:1 1" "the entry suppresses in its database only"

# statement/lock timeout: an error row, the other database still read
psql -X -q -d fl_killed -c 'begin; lock table pg_catalog.pg_policy in access exclusive mode; select pg_sleep(30)' >/dev/null 2>&1 &
pids+=($!)
sleep 0.5
printf 'locked\t%s dbname=fl_killed password=$PGD_FLEET_PW\nfine\t%s dbname=fl_tpl password=$PGD_FLEET_PW\n' "$tcp" "$tcp" >"$tmp/lock.list"
rc=0
"$PGDRIFT" check --migrations "$mig" --db-list "$tmp/lock.list" --timeout 1 --format json \
	-o "$tmp/lock.json" 2>/dev/null || rc=$?
is "$rc" 4 "a read past --timeout: exit 4"
got=$(python3 -c 'import json,sys; print(" | ".join(d["name"] + " " + d["status"] + " " + (d["error"] or "") for d in json.load(open(sys.argv[1]))["databases"]))' "$tmp/lock.json")
like "$got" '^fine ok  \| locked error .*(lock timeout|statement timeout)' "the locked database is an error row (timeout), the other one is read"

# list errors: exit 2 with file:line; an unset variable is named, not valued
printf 'a\tdbname=x\nb\tdbname=$PGD_FLEET_NOPE\n' >"$tmp/bad.list"
rc=0
"$PGDRIFT" check --migrations "$mig" --db-list "$tmp/bad.list" >/dev/null 2>"$tmp/bad.err" || rc=$?
is "$rc" 2 "an unset variable in the list: exit 2"
like "$(cat "$tmp/bad.err")" "bad.list:2: environment variable PGD_FLEET_NOPE is not set" "the message names file:line and the variable"
done_testing
