create table "we""ird <tbl> & co" ("select" text, "café" int);
