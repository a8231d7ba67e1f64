create table users (id uuid primary key, email text not null);
alter table users enable row level security;
create policy users_policy on users for all to authenticated using (id = auth.uid());
