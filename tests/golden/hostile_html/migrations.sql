-- Identifiers written to break out of HTML: element and attribute
-- injection, a closing </pre> and </style>, quotes, control characters.
-- The browser test (tests/e2e/html_browser.sh) asserts none of them
-- becomes an element or an attribute in Chromium's DOM.
create table "<img src=x onerror=alert(1)>" (
  id int primary key,
  "</pre><script>alert(2)</script>" text,
  "a"" onmouseover=""alert(3)" text,
  "</style><b>bold</b>" int
);
alter table "<img src=x onerror=alert(1)>" enable row level security;
create policy """><svg onload=alert(4)>" on "<img src=x onerror=alert(1)>"
  for select to authenticated using (id > 0);
