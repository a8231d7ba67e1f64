#!/usr/bin/env bash
# gen-scale.sh [--profile P] [--layout small|large] N OUTDIR - a
# deterministic synthetic migration set with N tables.
#
# Profiles (input shapes; scripts/bench.sh runs each one):
#   mixed     (default) varied column types, PK/FK/unique/check, 2-3
#             indexes per table (partial and expression ones too), RLS with
#             2-4 simple policies, later ALTERs and policy rewrites, and a
#             few files of bulky seed-data INSERTs (tens of MB at N=10,000)
#   tables    wide tables: many columns, defaults, FKs, checks, unique and
#             expression indexes, comments, later ALTER TABLEs; no policies
#   policies  2-3 policies a table, most with an EXISTS sub-select that
#             joins a membership table (the shape Supabase projects have)
#   functions a PL/pgSQL trigger function and a SQL function a table, the
#             trigger, and later CREATE OR REPLACE of some bodies
#   dynamic   N DO blocks in OUTDIR/dynamic (catalog guards, FOREACH/FOR
#             loops, EXECUTE format(), exception handlers, a helper function
#             called at top level) and the same schema written out
#             statically in OUTDIR/static: `pgdrift expected` must give the
#             same model for both (bench.sh times the two). Two folders, so
#             --list-profiles leaves it out of bench.sh part 1.
# "static" is another name for mixed.
# Layouts (for every profile but mixed, which keeps 10 tables a file):
#   small     many small files, 5 tables a file (the default)
#   large     a few large files, 4 in all
# A profile is three Python functions (a prelude, a table's statements,
# later changes to an earlier table); adding one is adding it to PROFILES
# below. --list-profiles prints every profile, one a line (bench.sh runs
# them all).
set -euo pipefail
profile=mixed
layout=small
while [[ "${1:-}" == --* ]]; do
	case "$1" in
	--list-profiles) n=0; out=/dev/null; profile=--list; break ;;
	--profile) profile=${2:?--profile needs a name}; shift 2 ;;
	--layout) layout=${2:?--layout needs small or large}; shift 2 ;;
	*) echo "gen-scale: unknown option $1" >&2; exit 2 ;;
	esac
done
[[ "$profile" == static ]] && profile=mixed
if [[ "$profile" == dynamic ]]; then
	n=${1:?usage: $0 --profile dynamic N OUTDIR}
	out=${2:?usage: $0 --profile dynamic N OUTDIR}
fi
if [[ "$profile" == dynamic ]]; then
	mkdir -p "$out/dynamic" "$out/static"
	rm -f "$out"/dynamic/*.sql "$out"/static/*.sql
	python3 - "$n" "$out" <<'PY'
import os, sys
n, out = int(sys.argv[1]), sys.argv[2]
per_file = 10
files = max(1, (n + per_file - 1) // per_file)
helper = '''create function public.add_owner_policy(tbl text, cmd text default 'select') returns void
language plpgsql as $$
begin
  execute format('create policy %I on public.%I for %s to authenticated using (owner = (select auth.uid()))',
                 tbl || '_' || cmd, tbl, cmd);
end $$;
'''
dyn0 = [helper]
sta0 = [helper]
with open(os.path.join(out, "dynamic", "20240101000000_helpers.sql"), "w") as fh:
    fh.write("\n".join(dyn0))
with open(os.path.join(out, "static", "20240101000000_helpers.sql"), "w") as fh:
    fh.write("\n".join(sta0))
b = 0
for f in range(files):
    dyn, sta = [], []
    for _ in range(per_file):
        if b >= n:
            break
        t = f"d{b:05d}"
        dyn.append(f"create table public.{t} (id bigint primary key, owner uuid, v text);")
        sta.append(f"create table public.{t} (id bigint primary key, owner uuid, v text);")
        kind = b % 4
        if kind == 0:
            dyn.append(f"""do $$ declare c text; begin
  foreach c in array array['note', 'label'] loop
    execute format('alter table public.%I add column if not exists %I text', '{t}', c);
  end loop;
  execute format('alter table public.%I enable row level security', '{t}');
end $$;""")
            sta.append(f"alter table public.{t} add column if not exists note text;")
            sta.append(f"alter table public.{t} add column if not exists label text;")
            sta.append(f"alter table public.{t} enable row level security;")
        elif kind == 1:
            dyn.append(f"""do $$ begin
  if not exists (select 1 from pg_policies where schemaname = 'public' and tablename = '{t}' and policyname = '{t}_read') then
    create policy {t}_read on public.{t} for select to authenticated using (true);
  end if;
  begin
    create type public.{t}_state as enum ('a', 'b');
  exception when duplicate_object then null;
  end;
end $$;""")
            sta.append(f"create policy {t}_read on public.{t} for select to authenticated using (true);")
            sta.append(f"create type public.{t}_state as enum ('a', 'b');")
        elif kind == 2:
            dyn.append(f"""do $$ declare i int; begin
  for i in 1..2 loop
    execute format('create index %I on public.%I (%s)', '{t}_i' || i, '{t}', case i when 1 then 'owner' else 'lower(v)' end);
  end loop;
  if not exists (select 1 from information_schema.columns where table_name = '{t}' and column_name = 'created_at') then
    alter table public.{t} add column created_at timestamptz default now();
  end if;
end $$;""")
            sta.append(f"create index {t}_i1 on public.{t} (owner);")
            sta.append(f"create index {t}_i2 on public.{t} (lower(v));")
            sta.append(f"alter table public.{t} add column created_at timestamptz default now();")
        else:
            dyn.append(f"select public.add_owner_policy('{t}'), public.add_owner_policy('{t}', cmd => 'delete');")
            sta.append(f"create policy {t}_select on public.{t} for select to authenticated using (owner = (select auth.uid()));")
            sta.append(f"create policy {t}_delete on public.{t} for delete to authenticated using (owner = (select auth.uid()));")
        b += 1
    name = f"{20240101000001 + f}_dyn_{f:04d}.sql"
    with open(os.path.join(out, "dynamic", name), "w") as fh:
        fh.write("\n".join(dyn) + "\n")
    with open(os.path.join(out, "static", name), "w") as fh:
        fh.write("\n".join(sta) + "\n")
PY
	echo "gen-scale: $n DO blocks and calls in $out/dynamic, the static twin in $out/static" >&2
	exit 0
fi
if [[ "$profile" != --list ]]; then
	n=${1:?usage: $0 [--profile P] [--layout small|large] N OUTDIR}
	out=${2:?usage: $0 [--profile P] [--layout small|large] N OUTDIR}
	case "$layout" in small|large) ;; *) echo "gen-scale: --layout small|large" >&2; exit 2 ;; esac
	mkdir -p "$out"
	rm -f "$out"/*.sql
fi
python3 - "$n" "$out" "$profile" "$layout" <<'PY'
import os, sys
n, out, profile, layout = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]

def write(f, lines):
    with open(os.path.join(out, f"{20240101000000 + f}_scale_{f:04d}.sql"), "w") as fh:
        fh.write("\n".join(lines) + "\n")

def mixed():
    per_file = 10
    files = max(10, (n + per_file - 1) // per_file)
    types = ["text", "integer", "bigint", "numeric(12,2)", "boolean", "timestamptz", "jsonb", "uuid", "varchar(64)", "text[]"]
    defaults = {"text": "''", "integer": "0", "bigint": "0", "numeric(12,2)": "0", "boolean": "false",
                "timestamptz": "now()", "jsonb": "'{}'::jsonb", "uuid": "gen_random_uuid()", "varchar(64)": "'x'", "text[]": "'{}'"}
    t = 0
    for f in range(files):
        lines = [f"-- scale set: file {f}"]
        for _ in range(per_file):
            if t >= n:
                break
            name = f"t{t:05d}"
            cols = [f"  id bigint generated always as identity primary key",
                    f"  owner uuid not null",
                    f"  created_at timestamptz not null default now()"]
            for c in range(4 + t % 5):
                ty = types[(t + c) % len(types)]
                nn = " not null" if c % 3 == 0 else ""
                cols.append(f"  c{c} {ty}{nn} default {defaults[ty]}")
            if t > 0:
                cols.append(f"  parent_id bigint references public.t{(t * 7) % t:05d}(id) on delete set null")
            cols.append(f"  code text unique")
            cols.append(f"  score integer check (score between 0 and 100)")
            lines.append(f"create table public.{name} (\n" + ",\n".join(cols) + "\n);")
            lines.append(f"create index {name}_owner_idx on public.{name} (owner, created_at desc);")
            lines.append(f"create index {name}_code_lower_idx on public.{name} (lower(code)) where code is not null;")
            if t % 2 == 0:
                lines.append(f"create index {name}_score_idx on public.{name} (score) where score > 50;")
            lines.append(f"alter table public.{name} enable row level security;")
            lines.append(f"create policy {name}_own on public.{name} for select to authenticated using (owner = (select auth.uid()));")
            lines.append(f"create policy {name}_write on public.{name} for insert to authenticated with check (owner = (select auth.uid()));")
            if t % 3 == 0:
                lines.append(f"create policy {name}_upd on public.{name} for update to authenticated using (owner = (select auth.uid())) with check (owner = (select auth.uid()));")
            if t % 4 == 0:
                lines.append(f"create policy {name}_del on public.{name} for delete to authenticated using (owner = (select auth.uid()) and score in (0, 1, 2));")
            t += 1
        # later changes to earlier tables
        if f > 2:
            old = f"t{(f * 3) % max(1, t - 1):05d}"
            lines.append(f"alter table public.{old} add column if not exists note_{f} text default 'n';")
            lines.append(f"drop policy if exists {old}_own on public.{old};")
            lines.append(f"create policy {old}_own on public.{old} for select to authenticated using (owner = (select auth.uid()) or score > 90);")
        write(f, lines)
    # seed data: about 4 KB per table in all, in three files
    seed_bytes = n * 4096
    per = seed_bytes // 3
    for k in range(3):
        path = os.path.join(out, f"{20240101000000 + files + k}_seed_{k}.sql")
        with open(path, "w") as fh:
            i = 0
            while fh.tell() < per:
                tt = f"t{i % min(n, 50):05d}"  # seed data goes to a few tables, as in real projects
                fh.write(f"insert into public.{tt} (owner, code, score) values "
                         f"('00000000-0000-0000-0000-{i:012d}', 'code-{k}-{i}', {i % 101});\n")
                i += 1

# ---- profiles with a layout: prelude() once, table(t) for each table,
# later(t) for changes to the earlier table t made at the end of a file

TYPES = ["text", "integer", "bigint", "numeric(12,2)", "boolean", "timestamptz",
         "jsonb", "uuid", "varchar(64)", "text[]", "date", "smallint"]
DEFAULTS = {"text": "''", "integer": "0", "bigint": "0", "numeric(12,2)": "0",
            "boolean": "false", "timestamptz": "now()", "jsonb": "'{}'::jsonb",
            "uuid": "gen_random_uuid()", "varchar(64)": "'x'", "text[]": "'{}'",
            "date": "current_date", "smallint": "1"}

def tables_prelude():
    return []

def tables_table(t):
    name = f"t{t:05d}"
    cols = ["  id bigint generated always as identity primary key",
            "  created_at timestamptz not null default now()",
            "  updated_at timestamptz"]
    for c in range(8 + t % 9):
        ty = TYPES[(t + c) % len(TYPES)]
        nn = " not null" if c % 3 == 0 else ""
        cols.append(f"  c{c} {ty}{nn} default {DEFAULTS[ty]}")
    if t > 0:
        cols.append(f"  parent_id bigint references public.t{(t * 7) % t:05d}(id) on delete cascade")
    if t > 1:
        cols.append(f"  other_id bigint references public.t{(t * 3) % (t - 1):05d} (id) on update cascade on delete set null")
    cols.append("  code varchar(32) unique")
    cols.append("  status text not null default 'new' check (status in ('new', 'open', 'done'))")
    cols.append("  score integer check (score between 0 and 100)")
    s = [f"create table public.{name} (\n" + ",\n".join(cols) +
         f",\n  constraint {name}_span check (updated_at is null or updated_at >= created_at)\n);",
         f"create index {name}_created_idx on public.{name} (created_at desc, id);",
         f"create index {name}_code_idx on public.{name} (lower(code)) where code is not null;",
         f"create unique index {name}_status_code_key on public.{name} (status, code);",
         f"comment on table public.{name} is 'table {t}';"]
    if t > 0:
        s.append(f"create index {name}_parent_idx on public.{name} (parent_id);")
    return s

def tables_later(t):
    name = f"t{t:05d}"
    return [f"alter table public.{name} add column if not exists note text default 'n';",
            f"alter table public.{name} alter column score set default 50;",
            f"alter table public.{name} add constraint {name}_note_len check (char_length(note) < 500);"]

def policies_prelude():
    return ["create table public.orgs (\n  id bigint generated always as identity primary key,\n"
            "  name text not null,\n  active boolean not null default true\n);",
            "create table public.members (\n  org_id bigint not null references public.orgs (id) on delete cascade,\n"
            "  user_id uuid not null,\n  role text not null default 'member' check (role in ('member', 'admin', 'owner')),\n"
            "  primary key (org_id, user_id)\n);",
            "create index members_user_idx on public.members (user_id);",
            "alter table public.orgs enable row level security;",
            "alter table public.members enable row level security;",
            "create policy orgs_read on public.orgs for select to authenticated using (exists (select 1 from public.members m where m.org_id = orgs.id and m.user_id = (select auth.uid())));",
            "create policy members_read on public.members for select to authenticated using (user_id = (select auth.uid()));"]

def policies_table(t):
    name = f"t{t:05d}"
    member = (f"exists (select 1 from public.members m join public.orgs o on o.id = m.org_id "
              f"where m.org_id = {name}.org_id and m.user_id = (select auth.uid()) and o.active")
    s = [f"create table public.{name} (\n  id bigint generated always as identity primary key,\n"
         f"  org_id bigint not null references public.orgs (id),\n  owner uuid not null default auth.uid(),\n"
         f"  visibility text not null default 'org',\n  body jsonb,\n  created_at timestamptz not null default now()\n);",
         f"create index {name}_org_idx on public.{name} (org_id);",
         f"alter table public.{name} enable row level security;",
         f"create policy {name}_read on public.{name} for select to authenticated using ("
         f"visibility = 'public' or owner = (select auth.uid()) or {member}));",
         f"create policy {name}_insert on public.{name} for insert to authenticated with check ("
         f"owner = (select auth.uid()) and {member} and m.role in ('member', 'admin', 'owner')));"]
    if t % 3 != 2:
        s.append(f"create policy {name}_update on public.{name} for update to authenticated using ("
                 f"{member} and m.role in ('admin', 'owner'))) with check ({member}));")
    if t % 2 == 0:
        s.append(f"create policy {name}_delete on public.{name} as restrictive for delete to authenticated using ("
                 f"owner = (select auth.uid()) and created_at > now() - interval '30 days' and "
                 f"not exists (select 1 from public.orgs o where o.id = {name}.org_id and not o.active));")
    return s

def policies_later(t):
    name = f"t{t:05d}"
    return [f"drop policy if exists {name}_read on public.{name};",
            f"create policy {name}_read on public.{name} for select to authenticated using ("
            f"owner = (select auth.uid()) or exists (select 1 from public.members m where m.org_id = {name}.org_id "
            f"and m.user_id = (select auth.uid()) and m.role <> 'guest') or (body ->> 'shared')::boolean);"]

def functions_prelude():
    return ["create schema if not exists app;",
            "create or replace function app.touch() returns trigger language plpgsql as $$\n"
            "begin\n  new.updated_at := now();\n  return new;\nend;\n$$;"]

def functions_table(t):
    name = f"t{t:05d}"
    return [f"create table public.{name} (\n  id bigint generated always as identity primary key,\n"
            f"  owner uuid not null,\n  amount numeric(12,2) not null default 0,\n  status text not null default 'new',\n"
            f"  updated_at timestamptz,\n  total numeric(12,2) not null default 0\n);",
            f"create or replace function public.{name}_check() returns trigger\nlanguage plpgsql\nsecurity definer\n"
            f"set search_path = ''\nas $$\ndeclare\n  v_total numeric := 0;\n  r record;\nbegin\n"
            f"  if new.amount < 0 then\n    raise exception 'negative amount % on {name}', new.amount using errcode = '22023';\n  end if;\n"
            f"  if tg_op = 'UPDATE' and old.status = 'done' and new.status <> 'done' then\n"
            f"    raise exception 'cannot reopen %', old.id;\n  end if;\n"
            f"  for r in select amount from public.{name} where owner = new.owner loop\n"
            f"    v_total := v_total + r.amount;\n  end loop;\n"
            f"  new.total := v_total + new.amount;\n  return new;\nend;\n$$;",
            f"create trigger {name}_check before insert or update on public.{name} "
            f"for each row execute function public.{name}_check();",
            f"create trigger {name}_touch before update on public.{name} "
            f"for each row when (old.* is distinct from new.*) execute function app.touch();",
            f"create or replace function public.{name}_sum(p_owner uuid) returns numeric\nlanguage sql stable\nas $$\n"
            f"  select coalesce(sum(amount), 0) from public.{name} where owner = p_owner and status <> 'void'\n$$;",
            f"create or replace function public.{name}_open(p_owner uuid, p_limit integer default 10)\n"
            f"returns setof public.{name}\nlanguage sql stable\nas $$\n"
            f"  select * from public.{name} where owner = p_owner and status = 'open' order by id limit p_limit\n$$;"]

def functions_later(t):
    name = f"t{t:05d}"
    return [f"create or replace function public.{name}_sum(p_owner uuid) returns numeric\nlanguage sql stable\nas $$\n"
            f"  select coalesce(sum(amount), 0) from public.{name} where owner = p_owner and status not in ('void', 'draft')\n$$;",
            f"drop trigger if exists {name}_touch on public.{name};",
            f"create trigger {name}_touch before update on public.{name} "
            f"for each row execute function app.touch();"]

PROFILES = {
    "tables": (tables_prelude, tables_table, tables_later),
    "policies": (policies_prelude, policies_table, policies_later),
    "functions": (functions_prelude, functions_table, functions_later),
}

def layered(prelude, table, later):
    per_file = 5 if layout == "small" else max(1, (n + 3) // 4)
    files = max(1, (n + per_file - 1) // per_file)
    t = 0
    for f in range(files):
        lines = [f"-- scale set ({profile}, {layout} files): file {f}"]
        if f == 0:
            lines += prelude()
        for _ in range(per_file):
            if t >= n:
                break
            lines += table(t)
            t += 1
        # later changes to earlier tables: one per file, or one per 5
        # tables in a large file, so both layouts make the same changes
        for old in range(max(0, t - per_file), t):
            if old % 5 == 4:
                lines += later(old - 2)
        write(f, lines)

if profile == "--list":
    print("\n".join(["mixed"] + list(PROFILES)))
elif profile == "mixed":
    mixed()
elif profile in PROFILES:
    layered(*PROFILES[profile])
else:
    sys.exit(f"gen-scale: unknown profile {profile} (mixed, {', '.join(PROFILES)})")
PY
[[ "$profile" == --list ]] && exit 0
echo "gen-scale: $profile/$layout, $(ls "$out" | wc -l) files, $(du -sh "$out" | cut -f1) in $out" >&2
