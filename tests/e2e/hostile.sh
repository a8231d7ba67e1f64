#!/usr/bin/env bash
# hostile.sh - hostile identifiers survive every reader (replay, catalog,
# snapshot file) and every report format (text stays one finding per line,
# JSON parses, Markdown escapes HTML).
. "$(dirname "$0")/lib.sh"
require_pg

mig="$PGDRIFT_SRC/fixtures/hostile/migrations"
tmp=$(mktemp -d)
db=$(fresh_db pgd_e2e_hostile)
trap 'dropdb --if-exists "$db" >/dev/null 2>&1; rm -rf "$tmp"' EXIT
"$PGDRIFT_SRC/scripts/apply-migrations.sh" "$db" "$mig" || bail "the hostile migration does not apply"

# applied without the Supabase stub: a vanilla PostgreSQL (--platform none)
"$PGDRIFT" expected --platform none --migrations "$mig" --all-schemas --schema 'Weird "Schema"' --schema public >"$tmp/exp" 2>/dev/null
"$PGDRIFT" snapshot --db "dbname=$db" --schema 'Weird "Schema"' --schema public >"$tmp/act" 2>/dev/null
if cmp -s "$tmp/exp" "$tmp/act"; then ok 0 "replay == catalog with hostile names"
else ok 1 "replay == catalog with hostile names"; diag "$(diff "$tmp/exp" "$tmp/act" | head)"; fi
like "$(cat "$tmp/exp")" 'table "Weird ""Schema""".";DROP TABLE x;--"' "names are quoted as PostgreSQL quotes them"

"$PGDRIFT" snapshot --db "dbname=$db" --format json -o "$tmp/snap.json" 2>/dev/null
rc=0
"$PGDRIFT" diff --platform none "$mig" "$tmp/snap.json" --format json -o "$tmp/diff.json" --fail-on warning 2>/dev/null || rc=$?
is "$rc" 0 "migrations vs a JSON snapshot of the same database: no drift"

# drift on the hostile table, in every format
psql -X -q -d "$db" -c 'alter table "Weird ""Schema""".";DROP TABLE x;--" drop column "new
line", drop column "esc'$'\x1b''[31mred'$'\x01''"; drop policy "p'"'"'1 <b>&" on "Weird ""Schema""".";DROP TABLE x;--"' >/dev/null
"$PGDRIFT" check --platform none --migrations "$mig" --db "dbname=$db" --no-rls --no-history \
	--format text:"$tmp/r.txt" --format json:"$tmp/r.json" --format markdown:"$tmp/r.md" \
	--format sarif:"$tmp/r.sarif" --format junit:"$tmp/r.xml" \
	--format codequality:"$tmp/r.cq.json" --format html:"$tmp/r.html" \
	--source-url 'https://git.example/x/{path}?q="><b>x</b>#L{line}' 2>/dev/null
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/r.json"
ok $? "the JSON report parses"
n=$(python3 -c 'import json,sys; print(len([f for f in json.load(open(sys.argv[1]))["findings"] if f["category"] == "drift"]))' "$tmp/r.json")
is "$n" 3 "three drift findings: two columns and the policy"
obj=$(python3 -c 'import json,sys; print([f["object"] for f in json.load(open(sys.argv[1]))["findings"] if f["name"] == "missing_column" and "new" in f["object"]][0])' "$tmp/r.json")
is "$obj" '"Weird ""Schema""".";DROP TABLE x;--"."new
line"' "JSON keeps the identifier exact, newline included"
obj=$(python3 -c 'import json,sys; print([f["object"] for f in json.load(open(sys.argv[1]))["findings"] if f["name"] == "missing_column" and "esc" in f["object"]][0])' "$tmp/r.json")
is "$obj" '"Weird ""Schema""".";DROP TABLE x;--"."esc'$'\x1b''[31mred'$'\x01''"' "JSON keeps control characters exact (escaped by JSON)"
lines=$(grep -c '^  error ' "$tmp/r.txt")
is "$lines" 3 "text: one line per finding (the newline in a name is shown as \\n)"
if grep -q '<b>\|<script>' "$tmp/r.md"; then ok 1 "markdown: no raw HTML from identifiers"
else ok 0 "markdown: no raw HTML from identifiers"; fi
if grep -q '<b>\|<script>alert\|"><b' "$tmp/r.html"; then ok 1 "html: no raw HTML from identifiers or --source-url"
else ok 0 "html: no raw HTML from identifiers or --source-url"; fi
grep -qF '.&quot;p&#39;1 &lt;b&gt;&amp;&quot;</code>' "$tmp/r.html"
ok $? "html: the policy named p'1 <b>& is shown as text"
grep -qF 'href="https://git.example/x/' "$tmp/r.html" &&
	grep -qF '/fixtures/hostile/migrations/0001_hostile.sql?q=&quot;&gt;&lt;b&gt;x&lt;/b&gt;#L' "$tmp/r.html"
ok $? "html: --source-url fills {path} and {line}, escaped in the attribute"
rc=0
"$PGDRIFT" check --migrations "$mig" --db "dbname=$db" --format html --source-url 'https://git.example/blob' >/dev/null 2>"$tmp/err" || rc=$?
is "$rc" 2 "--source-url without {path}: usage error (exit 2)"
if grep -q $'\x1b' "$tmp/r.txt" "$tmp/r.md" "$tmp/r.xml" "$tmp/r.html"; then ok 1 "no raw ESC reaches a terminal or a report"
else ok 0 "no raw ESC reaches a terminal or a report"; fi
xmllint --noout "$tmp/r.xml" 2>"$tmp/xmllint.err"
ok $? "junit: well-formed XML with quotes, <, &, newlines, ESC and ^A in names"
[[ -s "$tmp/xmllint.err" ]] && diag "$(head -5 "$tmp/xmllint.err")"
is "$(grep -c '<failure ' "$tmp/r.xml")" 3 "junit: a failure per finding"
for g in "$PGDRIFT_SRC"/tests/golden/*/expected.junit; do
	xmllint --noout "$g" 2>/dev/null
	ok $? "golden $(basename "$(dirname "$g")")/expected.junit is well-formed XML"
done
for f in r.sarif r.cq.json; do
	python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/$f"
	ok $? "$f parses as JSON"
done
obj=$(python3 -c 'import json,sys
r = json.load(open(sys.argv[1]))["runs"][0]["results"]
names = [x["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] for x in r if x["ruleId"] == "PGD111"]
print([n for n in names if "new" in n][0])' "$tmp/r.sarif")
is "$obj" '"Weird ""Schema""".";DROP TABLE x;--"."new
line"' "SARIF keeps the identifier exact"
uri=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])' "$tmp/r.sarif")
like "$uri" 'fixtures/hostile/migrations/0001_hostile.sql$' "SARIF locates the finding at its migration file"
done_testing
