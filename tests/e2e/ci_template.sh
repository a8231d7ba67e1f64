#!/usr/bin/env bash
# ci_template.sh - the GitLab jobs users copy (scripts/ci/pgdrift.gitlab-ci.yml)
# really work: the file is valid YAML, and each job's script, run as GitLab
# would run it (minus the build in before_script), gives the documented exit
# code and leaves every artifact it declares, well-formed: Code Quality and
# SARIF parse as JSON (SARIF checked by sarif_check.py), JUnit passes
# xmllint, the HTML report (exposed in the merge request) carries the grid
# and links each finding to its migration line on the GitLab instance.
. "$(dirname "$0")/lib.sh"
require_pg

tpl="$PGDRIFT_SRC/scripts/ci/pgdrift.gitlab-ci.yml"
tmp=$(mktemp -d)
db=pgd_e2e_ci
fleet_dbs=(pgd_e2e_ci_f1 pgd_e2e_ci_f2 pgd_e2e_ci_f3 pgd_e2e_ci_f4)
trap 'for d in "$db" "${fleet_dbs[@]}"; do dropdb --if-exists "$d" >/dev/null 2>&1; done; rm -rf "$tmp"' EXIT
storytailor_db "$db"
# the fleet's databases: clean copies, one of them drifted below
for d in "${fleet_dbs[@]}"; do
	dropdb --if-exists "$d" >/dev/null 2>&1
	createdb -T "$db" "$d" || bail "createdb $d failed"
done

# job NAME: writes the job's script (variables exported first) to stdout
job() {
	python3 - "$tpl" "$1" <<'PY'
import shlex, sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
job = doc[sys.argv[2]]
base = doc[job["extends"]] if "extends" in job else {}
for k, v in doc.get("variables", {}).items():
    if k != "PGDRIFT_MIGRATIONS":
        print("export %s=%s" % (k, shlex.quote(v)))
for line in job["script"]:
    print(line)
arts = job.get("artifacts") or base.get("artifacts")
print("# artifacts: " + " ".join(arts["paths"]))
print("# expose_as: " + arts.get("expose_as", ""))
print("# parallel: %s" % job.get("parallel", 1))
PY
}

run_job() { # run_job NAME: runs it in a fresh work dir, sets rc and dir
	dir="$tmp/$1"
	mkdir -p "$dir"
	job "$1" >"$tmp/$1.sh" || bail "cannot read job $1 from the template"
	cp -r "$PGDRIFT_SRC/fixtures/storytailor/migrations" "$dir/migrations"
	rc=0
	(cd "$dir" && PATH="$(dirname "$PGDRIFT"):$PATH" PGDRIFT_MIGRATIONS=migrations \
		PGDRIFT_DATABASE_URL="dbname=$db" CI_PROJECT_URL=https://gitlab.example/group/app \
		CI_COMMIT_SHA=0123abc bash -e "$tmp/$1.sh" >"$dir/stdout" 2>"$dir/stderr") || rc=$?
}

artifacts_ok() { # artifacts_ok JOB
	local a
	for a in $(sed -n 's/^# artifacts: //p' "$tmp/$1.sh"); do
		[[ -s "$dir/$a" ]]
		ok $? "$1: artifact $a written"
	done
	xmllint --noout "$dir/pgdrift-junit.xml" 2>/dev/null
	ok $? "$1: JUnit is well-formed XML"
	python3 -c 'import json,sys
cq = json.load(open(sys.argv[1]))
assert all(i["fingerprint"] and i["location"]["path"] and i["location"]["lines"]["begin"] >= 1 for i in cq)' \
		"$dir/gl-code-quality-report.json"
	ok $? "$1: Code Quality issues all have a fingerprint and a location"
	python3 "$(dirname "$0")/sarif_check.py" "$dir/pgdrift.sarif" >"$dir/sarif.tap"
	local st=$?
	ok $st "$1: SARIF 2.1.0 with every result located (sarif_check.py)"
	[[ $st -eq 0 ]] || diag "$(grep -A1 '^not ok' "$dir/sarif.tap" | head -6)"
	grep -q '^# expose_as: pgdrift report$' "$tmp/$1.sh"
	ok $? "$1: the HTML report is exposed in the merge request (expose_as)"
	if [[ "$1" == pgdrift:fleet-merge ]]; then
		# a section per database (the grid needs a database's grants: single runs)
		[[ $(grep -c '<section class="database"' "$dir/pgdrift.html") -ge 2 ]]
		ok $? "$1: the HTML report has a section per database"
	else
		grep -q '<table class="grid"' "$dir/pgdrift.html" && grep -q '<html lang="en">' "$dir/pgdrift.html"
		ok $? "$1: the HTML report carries the RLS coverage grid"
	fi
	if grep -q '<script src\|<link \|@import\|url(' "$dir/pgdrift.html"; then
		ok 1 "$1: the HTML report is self-contained"
	else ok 0 "$1: the HTML report is self-contained"; fi
}

python3 -c 'import sys, yaml; yaml.safe_load(open(sys.argv[1]))' "$tpl"
ok $? "the template is valid YAML"

run_job pgdrift:nightly
is "$rc" 0 "nightly on a freshly migrated database: exit 0"
artifacts_ok pgdrift:nightly
grep -q '^### RLS coverage' "$dir/pgdrift.md"
ok $? "the Markdown summary carries the RLS coverage matrix"
grep -q 'RLS coverage' "$dir/stdout"
ok $((!$?)) "the text report leaves the matrix out unless --rls-matrix"
if grep -qs "dbname=" "$dir"/pgdrift* "$dir"/gl-* "$dir"/stdout "$dir"/stderr; then
	ok 1 "no connection string in any artifact or log"
else ok 0 "no connection string in any artifact or log"; fi

# --min-severity hides findings from the report, never from its verdict
rc=0
"$PGDRIFT" check --migrations "$PGDRIFT_SRC/fixtures/storytailor/migrations" --db "dbname=$db" \
	--fail-on warning --min-severity error --format text:"$tmp/min.txt" \
	--format html:"$tmp/min.html" 2>/dev/null || rc=$?
is "$rc" 1 "--fail-on warning on RLS warnings: exit 1"
like "$(head -1 "$tmp/min.txt")" '^pgdrift check: FAILED, exit code 1 \(--fail-on warning\)$' \
	"--min-severity error: the summary still says FAILED, exit code 1, with the warnings hidden"
grep -q 'FAILED: exit code 1' "$tmp/min.html" && grep -q 'below --min-severity' "$tmp/min.html"
ok $? "--min-severity error: so does the HTML verdict, and it says how many are hidden"

psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f "$PGDRIFT_SRC/fixtures/demo/hotfix.sql" >/dev/null ||
	bail "the hotfix does not apply"
run_job pgdrift:nightly
is "$rc" 1 "nightly after the hotfix: exit 1 (the job fails)"
n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$dir/gl-code-quality-report.json")
like "$n" '^[1-9]' "nightly: the Code Quality report lists the drift ($n issues)"
path=$(python3 -c 'import json,sys; print([i["location"]["path"] for i in json.load(open(sys.argv[1])) if i["check_name"] == "PGD141"][0])' "$dir/gl-code-quality-report.json")
like "$path" '^migrations/[0-9]+_.*\.sql$' "Code Quality points at the migration file, relative to the repository"
# the hand-made policy exists only in the database: no migration made it
where=$(grep -A1 'PGD152 unexpected_policy .*support_read_all' "$dir/stdout" | tail -1)
like "$where" '^ +table defined at migrations/[0-9]+_[a-z_]+\.sql:[0-9]+$' \
	"a live-only policy is located at its table ('table defined at'), not at a 'migration'"
uri=$(python3 -c 'import json,sys
r = json.load(open(sys.argv[1]))["runs"][0]["results"]
print([x["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for x in r if x["ruleId"] == "PGD200"][0])' "$dir/pgdrift.sarif")
is "$uri" "migrations" "SARIF: the database-wide PGD200 points at the migrations folder"
href=$(grep -o 'href="https://gitlab.example/[^"]*"' "$dir/pgdrift.html" | head -1)
like "$href" '^href="https://gitlab.example/group/app/-/blob/0123abc/migrations/[0-9]+_[a-z_]+\.sql#L[0-9]+"$' \
	"the HTML report links a finding to its migration line (--source-url)"

# the gate: no baseline -> fails; with the adopted baseline -> passes
run_job pgdrift:gate
is "$rc" 1 "gate without a baseline on drift: exit 1 (deploy blocked)"
"$PGDRIFT" check --migrations "$PGDRIFT_SRC/fixtures/storytailor/migrations" --db "dbname=$db" \
	--write-baseline "$tmp/pgdrift-baseline.json" --reason "adopted" >/dev/null 2>&1
run_job_with_baseline() {
	dir="$tmp/gate2"; mkdir -p "$dir"; cp "$tmp/pgdrift-baseline.json" "$dir/"
	cp -r "$PGDRIFT_SRC/fixtures/storytailor/migrations" "$dir/migrations"
	rc=0
	(cd "$dir" && PATH="$(dirname "$PGDRIFT"):$PATH" PGDRIFT_MIGRATIONS=migrations \
		PGDRIFT_DATABASE_URL="dbname=$db" bash -e "$tmp/pgdrift:gate.sh" >"$dir/stdout" 2>"$dir/stderr") || rc=$?
}
run_job_with_baseline
is "$rc" 0 "gate with the committed baseline: exit 0 (deploy goes on)"
psql -X -q -d "$db" -c 'alter table public.stories disable row level security' >/dev/null
run_job_with_baseline
is "$rc" 1 "gate with the baseline on new drift: exit 1"

run_job pgdrift:rls
is "$rc" 0 "rls review of the Storytailor migrations: exit 0 (no error-level finding)"
artifacts_ok pgdrift:rls

# the fleet: the sharded job once per CI_NODE_INDEX, as `parallel: N`
# runs it, then the merge job over every shard's artifact
psql -X -q -v ON_ERROR_STOP=1 -d pgd_e2e_ci_f3 -f "$PGDRIFT_SRC/fixtures/demo/hotfix.sql" >/dev/null ||
	bail "the hotfix does not apply to the fleet database"
job pgdrift:fleet >"$tmp/fleet.sh" || bail "cannot read job pgdrift:fleet from the template"
job pgdrift:fleet-merge >"$tmp/merge.sh" || bail "cannot read job pgdrift:fleet-merge"
nodes=$(sed -n 's/^# parallel: //p' "$tmp/fleet.sh")
like "$nodes" '^[2-9]$|^[1-9][0-9]+$' "the fleet job runs on parallel: $nodes runners"
mkdir -p "$tmp/merge"
export PGDRIFT_FLEET_SECRET=not-a-real-password-91c2
for d in "${fleet_dbs[@]}"; do
	printf '%s\tdbname=%s application_name=x password=$PGDRIFT_FLEET_SECRET\n' "${d#pgd_e2e_ci_}" "$d"
done >"$tmp/fleet.list"
total=0
for i in $(seq 1 "$nodes"); do
	dir="$tmp/fleet$i"
	mkdir -p "$dir"
	cp -r "$PGDRIFT_SRC/fixtures/storytailor/migrations" "$dir/migrations"
	cp "$tmp/fleet.list" "$dir/pgdrift-databases.list"
	rc=0
	(cd "$dir" && PATH="$(dirname "$PGDRIFT"):$PATH" PGDRIFT_MIGRATIONS=migrations \
		CI_NODE_INDEX=$i CI_NODE_TOTAL=$nodes bash -e "$tmp/fleet.sh" >"$dir/stdout" 2>"$dir/stderr") || rc=$?
	is "$rc" 0 "fleet shard $i/$nodes: the job passes (it leaves judging to the merge)"
	for a in $(sed -n 's/^# artifacts: //p' "$tmp/fleet.sh"); do
		ls $dir/$a >/dev/null 2>&1
		ok $? "fleet shard $i/$nodes: artifact $a written"
	done
	cp "$dir"/pgdrift-shard-*.json "$tmp/merge/"
	n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["databases"]))' "$dir/pgdrift-shard-$i.json")
	total=$((total + n))
done
is "$total" 4 "the shards cover the list exactly once"
dir="$tmp/merge"
rc=0
(cd "$dir" && PATH="$(dirname "$PGDRIFT"):$PATH" bash -e "$tmp/merge.sh" >"$dir/stdout" 2>"$dir/stderr") || rc=$?
is "$rc" 1 "fleet merge with one drifted database: exit 1 (the pipeline fails)"
cp "$tmp/merge.sh" "$tmp/pgdrift:fleet-merge.sh"
artifacts_ok pgdrift:fleet-merge
got=$(python3 -c 'import json,sys
r = json.load(open(sys.argv[1]))
print(" ".join(d["name"] + ":" + d["status"] + ":" + str(d["exit"]) for d in r["databases"]), r["format"])' "$dir/pgdrift-fleet.json")
is "$got" "f1:ok:0 f2:ok:0 f3:ok:1 f4:ok:0 pgdrift.fleet/1" "the merged report: every database, f3 with its drift"
python3 -c 'import json,sys; assert len(json.load(open(sys.argv[1]))["runs"]) == 4' "$dir/pgdrift.sarif"
ok $? "the merged SARIF has a run per database"
if grep -rqs -e "$PGDRIFT_FLEET_SECRET" -e "dbname=" "$tmp"/fleet[0-9]*/stdout "$tmp"/fleet[0-9]*/stderr \
	"$tmp"/fleet[0-9]*/*.json "$dir"; then
	ok 1 "no connection string or password in any fleet artifact or log"
else ok 0 "no connection string or password in any fleet artifact or log"; fi
done_testing
