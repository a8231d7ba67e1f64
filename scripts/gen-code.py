#!/usr/bin/env python3
"""gen-code.py N DIR - a synthetic application tree of N code files for the
refs benchmark (scripts/bench.sh): TypeScript, Python and Dart files in
nested folders, each with supabase calls, SQL literals, comments, strings,
template literals and regex literals, plus a node_modules folder and
non-code files the scanner must skip. Deterministic; self-written."""
import os
import sys

n, root = int(sys.argv[1]), sys.argv[2]
tables = ["leads", "notes", "profiles", "announcements", "audit_log", "tags"]

TS = """// generated file {i}: a component that loads {t}
import {{ supabase }} from '../lib/supabase';

/* supabase.from('ghost_{i}').select() is commented out */
const label = "call supabase.from('ghost') to load";
const re = /from\\('x'\\)/g;

export async function load{i}(id: string, a: number, b: number) {{
  const {{ data }} = await supabase.from('{t}').select('id, body').eq('id', id);
  await supabase.from('{u}').insert({{ body: `row ${{id}} of ${{a / b / 2}}` }}).select();
  await supabase.from('{t}').update({{ body: 'x' }}).eq('id', id);
  const r = await supabase.rpc('search_leads', {{ q: `%${{id}}%` }});
  const rows = await sql`select t.id from {t} t join {u} u on u.id = t.id where t.id = ${{id}}`;
  const ratio = a / b / (a + 1);
  return {{ data, r, rows, ratio, label, re }};
}}
"""
PY = """# generated file {i}: a job that syncs {t}
import os

client = None  # client.table('ghost_{i}').select('*')
HELP = 'use client.table("ghost") to read'


def sync_{i}(cur, uid):
    client.table("{t}").select("*").eq("id", uid).execute()
    client.from_("{u}").upsert({{"id": uid}}).execute()
    cur.execute("select id from public.{t} where id = %s", (uid,))
    return f"{{uid}} synced {{{{ok}}}}"
"""
DART = """// generated file {i}: a screen that shows {t}
import 'package:supabase_flutter/supabase_flutter.dart';

/* supabase.from('ghost_{i}') */
Future<void> load{i}(String name) async {{
  final rows = await supabase.from('{t}').select().eq('name', '$name ${{name.length}}');
  await supabase.from('{u}').delete().eq('id', 1);
}}
"""
for i in range(n):
    t, u = tables[i % len(tables)], tables[(i * 7 + 3) % len(tables)]
    d = os.path.join(root, "src", "features", "f%03d" % (i % 100), "sub%d" % (i % 7))
    os.makedirs(d, exist_ok=True)
    kind = i % 20
    if kind < 15:
        name, text = "c%05d.tsx" % i, TS
    elif kind < 18:
        name, text = "j%05d.py" % i, PY
    else:
        name, text = "s%05d.dart" % i, DART
    with open(os.path.join(d, name), "w") as f:
        f.write(text.format(i=i, t=t, u=u))
    if kind == 19:  # and a file that is not code
        with open(os.path.join(d, "r%05d.md" % i), "w") as f:
            f.write("# notes {i}\nsupabase.from('{t}')\n".format(i=i, t=t))
nm = os.path.join(root, "node_modules", "dep")
os.makedirs(nm, exist_ok=True)
for i in range(500):
    with open(os.path.join(nm, "m%d.js" % i), "w") as f:
        f.write("module.exports = () => supabase.from('ghost_dep');\n")
with open(os.path.join(root, ".gitignore"), "w") as f:
    f.write("/build/\n*.log\n")
