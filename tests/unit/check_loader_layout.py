#!/usr/bin/env python3
"""Keeps src/loader's layout (issue 14): no two loader files call each other
in both directions, no file is over 1,000 lines, none is named *other*.

Usage: check_loader_layout.py SRC_LOADER_DIR LIBPGDRIFT_CORE_A

The call graph comes from the objects in the core library: for each
src/loader/*.c object, the global symbols it defines and the ones it leaves
undefined (nm). File A calls file B when A uses a symbol B defines. Speaks
TAP, one line per rule.
"""
import os
import re
import subprocess
import sys

MAX_LINES = 1000


def loader_symbols(lib):
    """{file stem: (defined set, undefined set)} for the loader objects."""
    out = subprocess.run([os.environ.get('NM', 'nm'), lib], check=True, capture_output=True,
                         text=True).stdout
    objs = {}
    cur = None
    for line in out.splitlines():
        m = re.match(r'^(?:.*/)?([^/]+)\.o:$', line)
        if m:
            name = m.group(1)
            m2 = re.match(r'^src_loader_(.+)\.c$', name)
            cur = objs.setdefault(m2.group(1), (set(), set())) if m2 else None
            continue
        if cur is None or not line.strip():
            continue
        parts = line.split()
        kind, sym = parts[-2], parts[-1]
        if kind == 'U':
            cur[1].add(sym)
        elif kind.isupper():
            cur[0].add(sym)
    return objs


def main():
    if len(sys.argv) != 3:
        print('usage: check_loader_layout.py SRC_LOADER_DIR LIBPGDRIFT_CORE_A',
              file=sys.stderr)
        return 2
    srcdir, lib = sys.argv[1], sys.argv[2]
    sources = sorted(f for f in os.listdir(srcdir) if f.endswith(('.c', '.h')))
    print('1..4')
    status = 0

    def result(n, ok, what, details):
        nonlocal status
        print(('ok' if ok else 'not ok') + ' %d - %s' % (n, what))
        for d in details:
            print('# ' + d)
        if not ok:
            status = 1

    # 1: every loader source has an object in the library (else the graph
    # below would pass for lack of data)
    objs = loader_symbols(lib)
    stems = [f[:-2] for f in sources if f.endswith('.c')]
    missing = [s for s in stems if s not in objs]
    result(1, stems and not missing,
           'every src/loader/*.c is in the core library (%d objects)' % len(objs),
           ['no object for src/loader/%s.c' % s for s in missing]
           + ([] if stems else ['no src/loader/*.c found in ' + srcdir]))

    # 2: no two files call each other in both directions
    calls = {}
    for a in objs:
        for b in objs:
            if a != b:
                used = objs[a][1] & objs[b][0]
                if used:
                    calls[(a, b)] = sorted(used)
    cycles = []
    for (a, b), syms in sorted(calls.items()):
        if a < b and (b, a) in calls:
            cycles.append('%s.c -> %s.c (%s) and %s.c -> %s.c (%s)' % (
                a, b, ', '.join(syms[:4]), b, a, ', '.join(calls[(b, a)][:4])))
    result(2, not cycles, 'no two loader files call each other both ways',
           cycles)

    # 3: no file over MAX_LINES lines
    long_files = []
    for f in sources:
        with open(os.path.join(srcdir, f), 'rb') as fh:
            n = sum(1 for _ in fh)
        if n > MAX_LINES:
            long_files.append('src/loader/%s has %d lines (limit %d)'
                              % (f, n, MAX_LINES))
    result(3, not long_files, 'no loader file over %d lines' % MAX_LINES,
           long_files)

    # 4: no file named for what it is not
    other = ['src/loader/' + f for f in os.listdir(srcdir) if 'other' in f.lower()]
    result(4, not other, 'no loader file named *other*', other)
    return status


if __name__ == '__main__':
    sys.exit(main())
