-- Names that break naive Markdown: | ` < > & # * _ [ ] and newlines
create table public."a|b`c" (
  "id|1" int primary key,
  "<b>bold</b>" text default '|`<&>',
  "new
line" jsonb not null default '{}'
);
comment on table public."a|b`c" is 'Purpose with | pipe, `code`, <i>html</i> & a
second line';
comment on column public."a|b`c"."<b>bold</b>" is '# not a heading | *not emphasis*';
create table public."[link](x)" (
  id int primary key,
  ref int references public."a|b`c" ("id|1") on delete set null on update cascade
);
create index "ix|<&>" on public."[link](x)" (ref) where ref > 0;
alter table public."a|b`c" enable row level security;
create policy "p|`<script>" on public."a|b`c" for update to authenticated
  using ("<b>bold</b>" <> '|') with check ("id|1" > 0);
-- anchors: spaces become "-", punctuation goes, so public.abc and
-- public."a|b`c" both want "publicabc" (the second gets "-1")
create table public."a b`c" (id int);
create table public.abc (id int);
