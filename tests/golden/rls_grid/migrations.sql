-- A schema whose RLS coverage grid shows every kind of cell: the golden
-- HTML of this case is the README's screenshot of the grid. The migrations
-- set the exposed schemas; the database lacks the setting (PGD200 points here).
alter role authenticator set pgrst.db_schemas = 'public';
create table profiles (id uuid primary key, name text);
alter table profiles enable row level security;
create policy profiles_read on profiles for select to authenticated using (id = auth.uid());
create policy profiles_write on profiles for update to authenticated using (id = auth.uid());

create table stories (id bigint primary key, owner uuid, public boolean);
alter table stories enable row level security;
create policy stories_read on stories for select using (public or owner = auth.uid());
create policy stories_insert on stories for insert to authenticated with check (owner = auth.uid());

create table audit_log (id bigint primary key, what text);
alter table audit_log enable row level security;

create table feature_flags (name text primary key, enabled boolean);
alter table feature_flags enable row level security;
create policy flags_read on feature_flags for select to anon, authenticated using (true);

create table payments (id bigint primary key, amount numeric);
alter table payments enable row level security;
create policy payments_own on payments for all to authenticated using (amount > 0);

create table reports (id bigint primary key, body text);
alter table reports enable row level security;
create policy reports_read on reports for select to authenticated using (true);
revoke all on reports from anon, authenticated, public;
grant select on reports to authenticated;
