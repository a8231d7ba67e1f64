create table "we""ird <tbl> & co" ("col
umn" int, "select" text, "café" text,
  "a_63_byte_name______________________________________________x63" int);
create policy "p'1 <script>" on "we""ird <tbl> & co" using (true);
