create table libraries (
  id uuid primary key default gen_random_uuid(),
  owner uuid not null,
  name varchar(100) not null,
  created_at timestamptz default now()
);
create index idx_libraries_owner on libraries (owner);
alter table libraries enable row level security;
create policy library_access on libraries for select to authenticated
  using (owner = (select auth.uid()));
do $$ begin execute 'create table dyn (id int)'; end $$;
do $$ begin perform pg_sleep(0); end $$;
