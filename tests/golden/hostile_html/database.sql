create table "<img src=x onerror=alert(1)>" (
  id int primary key,
  "</pre><script>alert(2)</script>" int,
  "a"" onmouseover=""alert(3)" int,
  "esc[31mred" text
);
alter table "<img src=x onerror=alert(1)>" enable row level security;
create policy """><svg onload=alert(4)>" on "<img src=x onerror=alert(1)>"
  for all to anon, authenticated using (true);
create policy "<iframe src=javascript:alert(5)>" on "<img src=x onerror=alert(1)>"
  for insert to anon with check (true);
