#!/usr/bin/env python3
"""sarif_check.py - checks SARIF files for what GitHub code scanning needs.

usage: sarif_check.py FILE|DIR...    (prints TAP; a DIR means its
       */expected.sarif, the golden files)

Written from the SARIF 2.1.0 specification and GitHub's "SARIF support for
code scanning" page; no schema file is fetched or committed. Per file:
- top level: "version" is "2.1.0", "$schema" names a SARIF 2.1.0 schema,
  "runs" is a non-empty array;
- per run: tool.driver.name is a non-empty string, tool.driver.rules an
  array of rules each with a unique non-empty "id" (and, where present,
  defaultConfiguration.level one of none/note/warning/error), "results" an
  array;
- per result: "ruleId" names a rule of the driver (and "ruleIndex", when
  given, points at that rule), "message.text" is a non-empty string,
  "level" (when given) is valid, "locations" is non-empty and
  locations[0].physicalLocation.artifactLocation.uri is a non-empty URI
  reference (no spaces, no control characters, only %XX escapes),
  region.startLine (when a region is given) is an integer >= 1, and
  "partialFingerprints" is a non-empty object of string values.
"""
import glob
import json
import os
import re
import sys

LEVELS = {"none", "note", "warning", "error"}
URI_OK = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]*:)?(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#]|%[0-9A-Fa-f]{2})+$")

n = 0
failed = 0


def ok(cond, name, why=""):
    global n, failed
    n += 1
    if cond:
        print("ok %d - %s" % (n, name))
    else:
        failed += 1
        print("not ok %d - %s" % (n, name))
        if why:
            print("# %s" % why)
    return cond


def check_file(path):
    try:
        doc = json.load(open(path, encoding="utf-8"))
    except (OSError, ValueError) as e:
        ok(False, "%s parses as JSON" % path, str(e))
        return
    ok(doc.get("version") == "2.1.0", "%s: version 2.1.0" % path, doc.get("version"))
    schema = doc.get("$schema")
    ok(isinstance(schema, str) and re.search(r"sarif.*2\.1\.0", schema or "", re.I),
       "%s: $schema names SARIF 2.1.0" % path, schema)
    runs = doc.get("runs")
    if not ok(isinstance(runs, list) and runs, "%s: runs is a non-empty array" % path):
        return
    for ri, run in enumerate(runs):
        where = "%s: runs[%d]" % (path, ri)
        driver = ((run.get("tool") or {}).get("driver")) or {}
        ok(isinstance(driver.get("name"), str) and driver["name"],
           "%s: tool.driver.name" % where, driver.get("name"))
        rules = driver.get("rules")
        if not ok(isinstance(rules, list) and rules, "%s: tool.driver.rules is a non-empty "
                  "array" % where):
            rules = []
        ids = [r.get("id") for r in rules]
        ok(all(isinstance(i, str) and i for i in ids) and len(set(ids)) == len(ids),
           "%s: every rule has a unique id" % where)
        bad = [r.get("id") for r in rules
               if "defaultConfiguration" in r and
               r["defaultConfiguration"].get("level", "warning") not in LEVELS]
        ok(not bad, "%s: rule levels are none/note/warning/error" % where, bad)
        results = run.get("results")
        if not ok(isinstance(results, list), "%s: results is an array" % where):
            continue
        problems = []
        for k, res in enumerate(results):
            p = []
            rid = res.get("ruleId")
            if not isinstance(rid, str) or rid not in ids:
                p.append("ruleId %r is not a rule" % rid)
            if "ruleIndex" in res and (not isinstance(res["ruleIndex"], int) or
                                       not 0 <= res["ruleIndex"] < len(rules) or
                                       rules[res["ruleIndex"]].get("id") != rid):
                p.append("ruleIndex %r does not point at %s" % (res.get("ruleIndex"), rid))
            msg = (res.get("message") or {}).get("text")
            if not isinstance(msg, str) or not msg:
                p.append("no message.text")
            if "level" in res and res["level"] not in LEVELS:
                p.append("level %r" % res["level"])
            locs = res.get("locations")
            if not isinstance(locs, list) or not locs:
                p.append("no locations")
            else:
                phys = locs[0].get("physicalLocation") or {}
                uri = (phys.get("artifactLocation") or {}).get("uri")
                if not isinstance(uri, str) or not uri:
                    p.append("no locations[0].physicalLocation.artifactLocation.uri")
                elif not URI_OK.match(uri):
                    p.append("uri %r is not a URI reference" % uri)
                if "region" in phys:
                    line = phys["region"].get("startLine")
                    if not isinstance(line, int) or line < 1:
                        p.append("region.startLine %r" % line)
            fp = res.get("partialFingerprints")
            if not isinstance(fp, dict) or not fp or \
                    not all(isinstance(v, str) and v for v in fp.values()):
                p.append("no partialFingerprints")
            if p:
                problems.append("results[%d] (%s): %s" % (k, rid, "; ".join(p)))
        ok(not problems, "%s: all %d results have ruleId, message.text, a located "
           "artifactLocation.uri, a valid region and partialFingerprints"
           % (where, len(results)), " | ".join(problems[:5]))


def main():
    for arg in sys.argv[1:]:
        paths = sorted(glob.glob(os.path.join(arg, "*", "expected.sarif"))) \
            if os.path.isdir(arg) else [arg]
        if not paths:
            ok(False, "%s holds SARIF files" % arg)
        for path in paths:
            check_file(path)
    print("1..%d" % n)
    sys.exit(1 if failed or not n else 0)


if __name__ == "__main__":
    main()
