#!/usr/bin/env bash
# gen-scale.sh N OUTDIR - a deterministic synthetic migration set with N
# tables spread over N/10 files (at least 10): varied column types,
# PK/FK/unique/check, 2-3 indexes per table (partial and expression ones
# too), RLS with 2-4 policies, later ALTERs and policy rewrites, and a few
# files of bulky seed-data INSERTs (tens of MB at N=10,000).
#
# gen-scale.sh --profile dynamic N OUTDIR - N DO blocks in OUTDIR/dynamic
# (catalog guards, FOREACH/FOR loops, EXECUTE format(), exception handlers,
# a helper function called at top level) and the same schema written out
# statically in OUTDIR/static: `pgdrift expected` must give the same model
# for both (scripts/bench.sh times the two).
set -euo pipefail
profile=static
if [[ "${1:-}" == --profile ]]; then
	profile=${2:?usage: $0 [--profile static|dynamic] N OUTDIR}
	shift 2
fi
n=${1:?usage: $0 [--profile static|dynamic] N OUTDIR}
out=${2:?usage: $0 [--profile static|dynamic] N OUTDIR}
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
mkdir -p "$out"
rm -f "$out"/*.sql
python3 - "$n" "$out" <<'PY'
import os, sys
n, out = int(sys.argv[1]), sys.argv[2]
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
    with open(os.path.join(out, f"{20240101000000 + f}_scale_{f:04d}.sql"), "w") as fh:
        fh.write("\n".join(lines) + "\n")
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
PY
echo "gen-scale: $(ls "$out" | wc -l) files, $(du -sh "$out" | cut -f1) in $out" >&2
