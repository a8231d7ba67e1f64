#!/usr/bin/env bash
# readahead.sh - DO blocks read ahead on a second thread
# (src/loader/prefetch.c) change nothing but time: the model, the messages
# and the exit code are the ones the replay gives alone
# (PGDRIFT_NO_READAHEAD=1), and the thread does read the blocks after the
# first. No database is needed.
. "$(dirname "$0")/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# both ways: exit code, stdout and stderr (without the --timings line)
both() { # both NAME DIR
	local name=$1 dir=$2 rc1=0 rc2=0
	"$PGDRIFT" expected --migrations "$dir" --timings --show-unmodeled \
		>"$tmp/a.out" 2>"$tmp/a.err" || rc1=$?
	PGDRIFT_NO_READAHEAD=1 "$PGDRIFT" expected --migrations "$dir" --timings \
		--show-unmodeled >"$tmp/b.out" 2>"$tmp/b.err" || rc2=$?
	is "$rc1" "$rc2" "$name: the same exit code either way ($rc1)"
	cmp -s "$tmp/a.out" "$tmp/b.out"
	ok $? "$name: the same model either way"
	grep -v 'timing migrations' "$tmp/a.err" >"$tmp/a.msg"
	grep -v 'timing migrations' "$tmp/b.err" >"$tmp/b.msg"
	cmp -s "$tmp/a.msg" "$tmp/b.msg"
	ok $? "$name: the same messages either way"
	like "$(cat "$tmp/b.err")" " 0 DO blocks read ahead" "$name: PGDRIFT_NO_READAHEAD=1 starts no thread"
}
ahead() { sed -n 's/.* \([0-9]*\) DO blocks read ahead.*/\1/p' "$tmp/a.err"; }

fx="$PGDRIFT_SRC/fixtures/dynamic/migrations"
both "fixtures/dynamic" "$fx"
is "$(ahead)" 5 "fixtures/dynamic: the 5 DO blocks after the first are read ahead"
! grep -q 'not modeled' "$tmp/a.err"
ok $? "fixtures/dynamic: no statement left unmodeled"

both "storytailor" "$PGDRIFT_SRC/fixtures/storytailor/migrations"

"$PGDRIFT_SRC/scripts/gen-scale.sh" --profile dynamic 200 "$tmp/gen" 2>/dev/null
both "gen-scale dynamic 200" "$tmp/gen/dynamic"
is "$(ahead)" 149 "gen-scale dynamic 200: 149 of its 150 DO blocks read ahead"
"$PGDRIFT" expected --migrations "$tmp/gen/static" --show-unmodeled >"$tmp/static.out" 2>/dev/null
cmp -s "$tmp/a.out" "$tmp/static.out"
ok $? "gen-scale dynamic 200: the model of its static twin"

# what the thread cannot read, the replay reads itself, with its messages
mkdir -p "$tmp/bad"
cat >"$tmp/bad/20240101000000_a.sql" <<'SQL'
create table public.t (id int primary key);
do $$ begin execute 'alter table public.t add column a int'; end $$;
SQL
cat >"$tmp/bad/20240101000001_b.sql" <<'SQL'
do $$ begin execute 'alter table public.t add column b int'; end $$;
do language plperl $$ print 1; $$;
do $$ begin if then end if; end $$;
do $$ begin execute 'alter table public.t add column c int'; end $$;
SQL
both "a DO in another language, a body that does not parse" "$tmp/bad"
is "$(ahead)" 3 "the 3 DO blocks in PL/pgSQL after the first are read ahead (one does not parse)"
like "$(cat "$tmp/a.out" "$tmp/a.err")" "DO blocks in language plperl are not evaluated" "plperl: unmodeled, says why"
like "$(cat "$tmp/a.out" "$tmp/a.err")" "PL/pgSQL does not parse" "a body that does not parse: unmodeled, says why"
like "$(cat "$tmp/a.out")" "column public.t.c " "the block after them still runs"

cat >"$tmp/bad/20240101000002_c.sql" <<'SQL'
do $$ begin null; end $$ language;
SQL
both "a DO statement that does not parse" "$tmp/bad"
like "$(cat "$tmp/a.err")" "20240101000002_c.sql:1:[0-9]+: .*syntax error" "says where"

done_testing
