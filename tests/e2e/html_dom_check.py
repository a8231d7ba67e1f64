#!/usr/bin/env python3
"""html_dom_check.py - checks one pgdrift HTML report as a browser built it.

usage: html_dom_check.py CASE_DIR DOM_FILE

CASE_DIR is a golden case (expected.html, expected.json, expected.text);
DOM_FILE is what `chromium --dump-dom` printed for expected.html, i.e. the
document after the page's own script ran. Prints one line per check,
"PASS name" or "FAIL name: why", for html_browser.sh to turn into TAP.

What it checks:
- the document: <html lang>, one <title>, exactly one <style> and one
  <script> (the page's own), no element or attribute a hostile identifier
  could have injected (img, svg, iframe, b, any on* attribute, javascript:
  links), every link relative or to a template the test did not give;
- the verdict section is first, and says FAILED/Passed as expected.text does;
- the RLS grid: one row per table of expected.text's matrix, every cell a
  letter with its colour class (O/A/P/D/-), rows worst first (data-risk
  never increases), every header cell a <th> with a scope;
- the findings: one <article class="finding"> per non-history finding of
  expected.json, each with its code, and a word diff (<del>, <ins>) in
  each whose expected and actual values differ;
- the script ran: the severity filters and the sort buttons exist;
- the text of the page keeps every identifier of expected.json (after the
  report's own escaping of control characters);
- a Content-Security-Policy that loads nothing external and runs only the
  page's own script (its SHA-256 matches);
- WCAG contrast of every grid colour pair (text on background), of the
  word diff marks and the severity labels: at least 4.5:1.
"""
import base64
import hashlib
import html.parser
import json
import re
import sys


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag = tag
        self.attrs = dict(attrs)
        self.parent = parent
        self.children = []
        self.text = []

    def classes(self):
        return (self.attrs.get("class") or "").split()

    def iter(self):
        yield self
        for c in self.children:
            if isinstance(c, Node):
                yield from c.iter()

    def all_text(self):
        out = []
        for c in self.children:
            out.append(c.all_text() if isinstance(c, Node) else c)
        return "".join(out)


VOID = {"meta", "link", "br", "hr", "img", "input", "col", "source", "wbr",
        "area", "base", "embed", "track", "param"}


class Tree(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", [], None)
        self.cur = self.root

    def handle_starttag(self, tag, attrs):
        n = Node(tag, attrs, self.cur)
        self.cur.children.append(n)
        if tag not in VOID:
            self.cur = n

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(Node(tag, attrs, self.cur))

    def handle_endtag(self, tag):
        n = self.cur
        while n is not None and n.tag != tag:
            n = n.parent
        if n is not None and n.parent is not None:
            self.cur = n.parent

    def handle_data(self, data):
        self.cur.children.append(data)


def parse(text):
    t = Tree()
    t.feed(text)
    t.close()
    return t.root


results = []


def check(cond, name, why=""):
    results.append(("PASS %s" % name) if cond else ("FAIL %s: %s" % (name, why)))
    return cond


def luminance(hex_color):
    h = hex_color.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    rgb = [int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(fg, bg):
    a, b = luminance(fg), luminance(bg)
    hi, lo = max(a, b), min(a, b)
    return (hi + 0.05) / (lo + 0.05)


def css_rules(css):
    """selector -> {property: value} for the simple rules the page uses"""
    rules = {}
    for sel, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        props = {}
        for decl in body.split(";"):
            if ":" in decl:
                k, v = decl.split(":", 1)
                props[k.strip()] = v.strip()
        for s in sel.split(","):
            rules.setdefault(s.strip(), {}).update(props)
    return rules


def text_escape(s):
    """the report's own escaping of control characters in one-line text"""
    out = []
    for ch in s:
        o = ord(ch)
        if ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif o < 0x20 or o == 0x7f:
            out.append("\\x%02x" % o)
        else:
            out.append(ch)
    return "".join(out)


def main():
    case, dom_file = sys.argv[1], sys.argv[2]
    raw = open(case + "/expected.html", encoding="utf-8").read()
    dom_text = open(dom_file, encoding="utf-8").read()
    report = json.load(open(case + "/expected.json", encoding="utf-8"))
    text = open(case + "/expected.text", encoding="utf-8").read()

    for label, doc_text in (("static page", raw), ("browser DOM", dom_text)):
        doc = parse(doc_text)
        nodes = list(doc.iter())
        tags = [n.tag for n in nodes]
        html_el = [n for n in nodes if n.tag == "html"]
        check(html_el and html_el[0].attrs.get("lang") == "en",
              "%s: <html lang=\"en\">" % label, "no lang attribute")
        check(tags.count("title") == 1, "%s: one <title>" % label, tags.count("title"))
        check(tags.count("style") == 1 and tags.count("script") == 1,
              "%s: exactly one <style> and one <script>, the page's own" % label,
              "style %d, script %d" % (tags.count("style"), tags.count("script")))
        bad = [t for t in tags if t in ("img", "svg", "iframe", "b", "object", "embed",
                                         "link", "base", "form")]
        check(not bad, "%s: no injected element (img, svg, iframe, b, object, embed, "
              "link, base, form)" % label, bad)
        onattr = [(n.tag, k) for n in nodes for k in n.attrs if k.lower().startswith("on")]
        check(not onattr, "%s: no on* event attribute" % label, onattr)
        ext = [n.attrs.get("src") or n.attrs.get("href") for n in nodes
               if (n.attrs.get("src") or "").strip() or
               re.match(r"\s*(javascript|data|https?):", n.attrs.get("href") or "", re.I)]
        check(not ext, "%s: no external resource and no javascript: link" % label, ext)

        grids = [n for n in nodes if n.tag == "table" and "grid" in n.classes()]
        if not check(len(grids) == 1, "%s: one RLS coverage grid" % label, len(grids)):
            continue
        grid = grids[0]
        heads = [n for n in grid.iter() if n.tag == "th"]
        check(heads and all(n.attrs.get("scope") in ("col", "row", "colgroup") for n in heads),
              "%s: every grid header cell has a scope" % label)
        rows = [n for n in grid.iter() if n.tag == "tr" and "data-risk" in n.attrs]
        m = re.search(r"\nRLS coverage[^\n]*\n  cells:[^\n]*\n  table[^\n]*\n"
                      r"((?:  \S[^\n]*\n)*)", text)
        want = len(m.group(1).splitlines()) if m else 0
        check(len(rows) == want, "%s: one grid row per table of the matrix (%d)" % (label, want),
              "%d rows" % len(rows))
        risks = [int(r.attrs["data-risk"]) for r in rows]
        if label == "static page":
            check(risks == sorted(risks, reverse=True),
                  "%s: worst tables first (risk never increases)" % label, risks)
        letters = {"c-open": "O", "c-all": "A", "c-policy": "P", "c-denied": "D",
                   "c-nogrant": "-"}
        cells = [n for n in grid.iter() if n.tag == "td" and "cell" in n.classes()]
        check(len(cells) == 12 * len(rows), "%s: 12 cells per row (4 commands x 3 roles)" % label,
              len(cells))
        wrong = [(c.classes(), c.all_text()) for c in cells
                 if not any(letters.get(k) == c.all_text().strip() for k in c.classes())]
        check(not wrong, "%s: every cell has a letter matching its colour" % label, wrong[:3])

        arts = [n for n in nodes if n.tag == "article" and "finding" in n.classes()]
        want_f = [f for f in report["findings"] if f["category"] != "history"]
        check(len(arts) == len(want_f), "%s: one finding element per finding (%d)"
              % (label, len(want_f)), len(arts))
        codes = sorted(a.attrs.get("data-code") for a in arts)
        check(codes == sorted(f["code"] for f in want_f), "%s: the findings' codes" % label,
              codes)

        # a definition that differs shows the changed words marked on each side
        differ = [f for f in want_f if f.get("expected") and f.get("actual") and
                  f["expected"] != f["actual"]]
        marked = [a for a in arts if any(n.tag in ("del", "ins") for n in a.iter())]
        check(len(marked) == len(differ), "%s: a word diff (del or ins) for each of the %d "
              "findings whose expected and actual differ" % (label, len(differ)), len(marked))
        body = [n for n in nodes if n.tag == "body"][0].all_text()
        missing = []
        for f in report["findings"]:
            for k in ("object", "table"):
                if f.get(k) and text_escape(f[k]) not in body:
                    missing.append(f[k])
        check(not missing, "%s: every object and table name is in the page's text, "
              "intact" % label, missing[:3])
        sec = [n for n in nodes if n.tag == "section"]
        check(sec and "database" in sec[0].classes() and
              "verdict" in (sec[1].classes() if len(sec) > 1 else []),
              "%s: the verdict comes first" % label)
        verdict = sec[1].all_text() if len(sec) > 1 else ""
        failed = "FAILED" in text.splitlines()[0]
        check(("FAILED" in verdict) == failed and ("exit code %d" % (1 if failed else 0)) in verdict,
              "%s: the verdict and exit code match the text report" % label)

        if label == "browser DOM":
            boxes = [n for n in nodes if "data-filters" in n.attrs]
            inputs = [n for b in boxes for n in b.iter() if n.tag == "input"]
            check(boxes and "hidden" not in boxes[0].attrs and len(inputs) == 3,
                  "%s: the script ran: three severity filters shown" % label)
            buttons = [n for n in grid.iter() if n.tag == "button"]
            check(len(buttons) == 2, "%s: the script ran: the grid sorts by table and risk" % label,
                  len(buttons))
        else:
            boxes = [n for n in nodes if "data-filters" in n.attrs]
            check(boxes and "hidden" in boxes[0].attrs,
                  "%s: without JavaScript the (empty) filter bar stays hidden" % label)

    # the Content-Security-Policy: nothing external, only the page's script
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', raw)
    script = re.search(r"<script>(.*?)</script>", raw, re.S)
    digest = base64.b64encode(hashlib.sha256(script.group(1).encode()).digest()).decode() \
        if script else ""
    check(csp and "default-src 'none'" in csp.group(1) and
          ("script-src 'sha256-%s'" % digest) in csp.group(1),
          "Content-Security-Policy: default-src 'none', script-src the page's own script's "
          "hash", csp.group(1) if csp else "no CSP meta element")

    # contrast, from the page's own style sheet
    css = re.search(r"<style>(.*?)</style>", raw, re.S).group(1)
    rules = css_rules(css)
    pairs = [(sel, rules[sel].get("color"), rules[sel].get("background"))
             for sel in (".c-open", ".c-all", ".c-policy", ".c-denied", ".c-nogrant",
                         "del", "ins")]
    for sel, fg, bg in pairs:
        if not check(fg and bg, "contrast: %s has a colour and a background" % sel):
            continue
        r = contrast(fg, bg)
        check(r >= 4.5, "contrast: %s %s on %s is %.2f:1 (WCAG AA needs 4.5)" % (sel, fg, bg, r),
              "%.2f" % r)
    for sel in (".sev-error .sev", ".sev-warning .sev", ".sev-info .sev"):
        fg = rules.get(sel, {}).get("color")
        if check(fg, "contrast: %s has a colour" % sel):
            r = contrast(fg, "#ffffff")
            check(r >= 4.5, "contrast: %s %s on white is %.2f:1" % (sel, fg, r), "%.2f" % r)
    for line in results:
        print(line)


if __name__ == "__main__":
    main()
