create table "we""ird <tbl> & co" ("col
umn" int, "select" text, "café" text);
create policy "p'1 <script>" on "we""ird <tbl> & co" using (true);
