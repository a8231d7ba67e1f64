create table libraries (
  id uuid primary key default gen_random_uuid(),
  owner uuid,
  name varchar(200) not null,
  created_at timestamptz default now(),
  hotfix_flag boolean default false
);
create policy library_access on libraries for all to anon, authenticated
  using (true);
create policy support_read on libraries for select using (true);
