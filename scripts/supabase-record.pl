#!/usr/bin/perl
# supabase-record.pl - print the SQL with which the Supabase CLI records one
# applied migration file in supabase_migrations.schema_migrations:
#
#   scripts/supabase-record.pl FILE
#
# Like the CLI (pkg/migration): the version and name come from the file name
# (^([0-9]+)_(.*)\.sql$), the statements from splitting the file at every ';'
# outside quotes, dollar quotes, comments, parentheses and BEGIN ATOMIC
# bodies, each piece keeping its comments, with its trailing ';' and
# surrounding white space trimmed. Written independently of pgdrift's own
# splitter (src/history/history.c) so that each checks the other in
# tests/e2e/history.sh. Perl because it is on every Debian system.
use strict;
use warnings;

my $path = shift or die "usage: $0 FILE\n";
my $base = $path;
$base =~ s{.*/}{};
$base =~ /^([0-9]+)_(.*)\.sql$/s or die "$0: $base is not <version>_<name>.sql\n";
my ($version, $name) = ($1, $2);

open(my $fh, '<:raw', $path) or die "$0: $path: $!\n";
my $sql = do { local $/; <$fh> };
close $fh;

# A state is a hash: kind, and what the kind needs. next_state returns the
# state after one more byte of the piece: the piece is $sql from $start to
# $i inclusive; tail(N) is its last N bytes ('' when it is shorter).
my ($start, $i) = (0, 0);
sub tail {
	my ($n) = @_;
	return '' if $i - $start + 1 < $n;
	return substr($sql, $i - $n + 1, $n);
}

sub ready {
	my $c = substr($sql, $i, 1);
	return { kind => 'tag', off => $i } if $c eq '$';
	return { kind => 'quote', q => $c, esc => 0 } if $c eq "'" || $c eq '"';
	return { kind => 'dash' } if $c eq '-';
	return { kind => 'block', depth => 0 } if $c eq '/';
	return { kind => 'escape' } if $c eq '\\';
	return undef if $c eq ';';
	return { kind => 'atomic', prev => { kind => 'ready' }, delim => ')' } if $c eq '(';
	if (($c eq 'c' || $c eq 'C') && $i - $start + 1 > 6 &&
	    lc(tail(6)) eq 'atomic' && substr(tail(7), 0, 1) =~ /\s/) {
		return { kind => 'atomic', prev => { kind => 'ready' }, delim => 'END' };
	}
	return { kind => 'ready' };
}

sub next_state {
	my ($st) = @_;
	my $c = substr($sql, $i, 1);
	my $k = $st->{kind};
	return ready() if $k eq 'ready';
	if ($k eq 'dash') {
		return { kind => 'dollar', delim => "\n" } if $c eq '-';
		return ready();
	}
	if ($k eq 'block') {
		my $w = tail(2);
		if ($w eq '/*') { $st->{depth}++; return $st; }
		return ready() if $st->{depth} == 0;
		if ($w eq '*/') {
			$st->{depth}--;
			return { kind => 'ready' } if $st->{depth} == 0;
		}
		return $st;
	}
	if ($k eq 'quote') {
		if ($st->{esc}) {
			if ($c eq $st->{q}) { $st->{esc} = 0; return $st; }
			return ready();
		}
		$st->{esc} = 1 if $c eq $st->{q};
		return $st;
	}
	if ($k eq 'dollar') {
		my $d = $st->{delim};
		return { kind => 'ready' } if tail(length $d) eq $d;
		return $st;
	}
	if ($k eq 'tag') {
		return { kind => 'dollar', delim => substr($sql, $st->{off}, $i - $st->{off} + 1) }
			if $c eq '$';
		return $st if $c =~ /[A-Za-z0-9_\x80-\xff]/;
		return ready();
	}
	return { kind => 'ready' } if $k eq 'escape';
	if ($k eq 'atomic') {
		my $cur = next_state($st->{prev});
		$st->{prev} = $cur if defined $cur;
		my $d = $st->{delim};
		return { kind => 'ready' }
			if $st->{prev}{kind} eq 'ready' && lc(tail(length $d)) eq lc($d);
		return $st;
	}
	die "bad state $k";
}

my @stmts;
sub piece {
	my ($p) = @_;
	$p =~ s/;+\z//;
	$p =~ s/\A\s+//;
	$p =~ s/\s+\z//;
	push @stmts, $p if length $p;
}

my $st = { kind => 'ready' };
for ($i = 0; $i < length $sql; $i++) {
	$st = next_state($st);
	if (!defined $st) {
		piece(substr($sql, $start, $i - $start + 1));
		$start = $i + 1;
		$st = { kind => 'ready' };
	}
}
piece(substr($sql, $start)) if $start < length $sql;

# Dollar-quote each value with a tag it does not contain.
sub lit {
	my ($s) = @_;
	my $n = 0;
	$n++ while index($s, "\$r$n\$") >= 0;
	return "\$r$n\$$s\$r$n\$";
}

print "INSERT INTO supabase_migrations.schema_migrations(version, name, statements) VALUES (",
	lit($version), ", ", lit($name), ", ARRAY[",
	join(", ", map { lit($_) } @stmts), "]::text[]);\n";
