/*
 * check_util.c - strbuf, identifier quoting, srcfile line:col mapping,
 * UTF-8 validation and diagnostic printing.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgdrift/diag.h"
#include "pgdrift/srcfile.h"
#include "pgdrift/strbuf.h"
#include "unit.h"

START_TEST(strbuf_grows_and_detaches)
{
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	ck_assert_str_eq(sb.buf, "");
	for (int i = 0; i < 1000; i++)
		pgd_strbuf_addf(&sb, "%d,", i % 10);
	ck_assert_uint_eq(sb.len, 2000);
	ck_assert_int_eq(sb.buf[1999], ',');
	ck_assert_int_eq(sb.buf[2000], '\0');
	pgd_strbuf_setlen(&sb, 3);
	ck_assert_str_eq(sb.buf, "0,1");
	size_t len;
	char *s = pgd_strbuf_detach(&sb, &len);
	ck_assert_uint_eq(len, 3);
	ck_assert_str_eq(s, "0,1");
	ck_assert_uint_eq(sb.len, 0);
	ck_assert_str_eq(sb.buf, "");
	free(s);
	/* detaching an empty buffer still gives an owned string */
	s = pgd_strbuf_detach(&sb, NULL);
	ck_assert_str_eq(s, "");
	free(s);
}
END_TEST

START_TEST(strbuf_add_binary)
{
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	pgd_strbuf_add(&sb, "a\0b", 3);
	ck_assert_uint_eq(sb.len, 3);
	ck_assert_int_eq(memcmp(sb.buf, "a\0b", 4), 0);
	pgd_strbuf_release(&sb);
	ck_assert_uint_eq(sb.len, 0);
}
END_TEST

static const struct {
	const char *in, *out;
} ident_cases[] = {
	{ "users", "users" },
	{ "Users", "\"Users\"" },
	{ "user", "\"user\"" },     /* reserved */
	{ "select", "\"select\"" }, /* reserved */
	{ "timestamp", "\"timestamp\"" }, /* col_name keyword */
	{ "name", "name" },         /* unreserved keyword */
	{ "status", "status" },
	{ "a b", "\"a b\"" },
	{ "quo\"te", "\"quo\"\"te\"" },
	{ "_x1$", "\"_x1$\"" },
	{ "1abc", "\"1abc\"" },
	{ "", "\"\"" },
	{ "caf\xc3\xa9", "\"caf\xc3\xa9\"" },
};

START_TEST(ident_quoting)
{
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	pgd_strbuf_add_ident(&sb, ident_cases[_i].in);
	ck_assert_str_eq(sb.buf, ident_cases[_i].out);
	pgd_strbuf_release(&sb);
}
END_TEST

START_TEST(literal_quoting)
{
	struct pgd_strbuf sb = PGD_STRBUF_INIT;
	pgd_strbuf_add_literal(&sb, "it's");
	ck_assert_str_eq(sb.buf, "'it''s'");
	pgd_strbuf_release(&sb);
}
END_TEST

static void make_src(struct pgd_srcfile *sf, const char *text)
{
	pgd_srcfile_init_take(sf, "m/001_x.sql", pgd_xstrdup(text), strlen(text));
}

START_TEST(srcfile_positions)
{
	struct pgd_srcfile sf;
	unsigned line, col;
	make_src(&sf, "ab\ncd\r\n\n\xc3\xa9x\n");
	ck_assert_uint_eq(sf.nlines, 5);
	pgd_srcfile_position(&sf, 0, &line, &col);
	ck_assert_uint_eq(line, 1);
	ck_assert_uint_eq(col, 1);
	pgd_srcfile_position(&sf, 2, &line, &col); /* the newline itself */
	ck_assert_uint_eq(line, 1);
	ck_assert_uint_eq(col, 3);
	pgd_srcfile_position(&sf, 3, &line, &col);
	ck_assert_uint_eq(line, 2);
	ck_assert_uint_eq(col, 1);
	pgd_srcfile_position(&sf, 7, &line, &col);
	ck_assert_uint_eq(line, 3);
	pgd_srcfile_position(&sf, 10, &line, &col); /* 'x' after 2-byte e-acute */
	ck_assert_uint_eq(line, 4);
	ck_assert_uint_eq(col, 2);
	pgd_srcfile_position(&sf, 9999, &line, &col); /* clamped to the end */
	ck_assert_uint_eq(line, 5);
	ck_assert_uint_eq(col, 1);

	const char *s;
	size_t len;
	ck_assert_int_eq(pgd_srcfile_line_text(&sf, 2, &s, &len), 0);
	ck_assert_uint_eq(len, 2); /* "\r\n" stripped */
	ck_assert_int_eq(strncmp(s, "cd", 2), 0);
	ck_assert_int_eq(pgd_srcfile_line_text(&sf, 6, &s, &len), -1);
	ck_assert_int_eq(pgd_srcfile_line_text(&sf, 0, &s, &len), -1);
	pgd_srcfile_release(&sf);
}
END_TEST

START_TEST(srcfile_no_newline)
{
	struct pgd_srcfile sf;
	make_src(&sf, "");
	ck_assert_uint_eq(sf.nlines, 1);
	ck_assert_uint_eq(pgd_srcfile_line_of(&sf, 0), 1);
	pgd_srcfile_release(&sf);
	make_src(&sf, "select 1");
	ck_assert_uint_eq(pgd_srcfile_line_of(&sf, 7), 1);
	pgd_srcfile_release(&sf);
}
END_TEST

static const struct {
	const char *s;
	size_t len;
	long want;
} utf8_cases[] = {
	{ "plain ascii", 11, -1 },
	{ "caf\xc3\xa9", 5, -1 },
	{ "\xf0\x9f\x90\x98", 4, -1 },       /* U+1F418 */
	{ "ab\xff", 3, 2 },                  /* invalid lead byte */
	{ "ab\xc3", 3, 2 },                  /* truncated */
	{ "\xc0\xaf", 2, 0 },                /* overlong '/' */
	{ "x\xed\xa0\x80", 4, 1 },           /* surrogate */
	{ "\xe2\x82", 2, 0 },                /* truncated 3-byte */
	{ "ok\xe2\x28\xa1", 5, 2 },          /* bad continuation */
};

START_TEST(utf8_validation)
{
	ck_assert_int_eq(pgd_utf8_first_invalid(utf8_cases[_i].s,
						utf8_cases[_i].len),
			 utf8_cases[_i].want);
}
END_TEST

START_TEST(utf8_offsets)
{
	const char *s = "a\xc3\xa9" "b\xe2\x82\xac" "c"; /* a é b € c */
	ck_assert_uint_eq(pgd_utf8_offset(s, -3), 0);
	ck_assert_uint_eq(pgd_utf8_offset(s, 0), 0);
	ck_assert_uint_eq(pgd_utf8_offset(s, 1), 1);  /* é */
	ck_assert_uint_eq(pgd_utf8_offset(s, 2), 3);  /* b */
	ck_assert_uint_eq(pgd_utf8_offset(s, 3), 4);  /* € */
	ck_assert_uint_eq(pgd_utf8_offset(s, 4), 7);  /* c */
	ck_assert_uint_eq(pgd_utf8_offset(s, 5), 8);  /* past the end */
	ck_assert_uint_eq(pgd_utf8_offset(s, 99), 8);
	ck_assert_uint_eq(pgd_utf8_offset("", 1), 0);
}
END_TEST

static char *print_diag_to_string(const struct pgd_diags *d)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(f);
	pgd_diags_print(f, d);
	fclose(f);
	return buf;
}

START_TEST(diag_gnu_format_with_caret)
{
	struct pgd_srcfile sf;
	struct pgd_diags d = PGD_DIAGS_INIT;
	make_src(&sf, "create table t (\n\tid int,\n\tx intt\n);\n");
	/* offset of "intt": line 3, column 4 (after a tab and "x ") */
	size_t off = (size_t)(strstr(sf.text, "intt") - sf.text);
	struct pgd_diag *x = pgd_diags_add(&d, PGD_DIAG_ERROR, &sf, off,
					   "type \"%s\" does not exist", "intt");
	x->hint = pgd_xstrdup("Did you mean \"int\"?");
	pgd_diags_add_path(&d, PGD_DIAG_WARNING, "m", "duplicate version %d", 5);
	ck_assert_uint_eq(d.nerrors, 1);
	char *out = print_diag_to_string(&d);
	ck_assert_str_eq(out,
		"pgdrift: m/001_x.sql:3:4: error: type \"intt\" does not exist\n"
		"     x intt\n"
		"       ^\n"
		"HINT: Did you mean \"int\"?\n"
		"pgdrift: m: warning: duplicate version 5\n");
	free(out);
	pgd_diags_release(&d);
	pgd_srcfile_release(&sf);
}
END_TEST

START_TEST(diag_control_chars_do_not_shift_caret)
{
	struct pgd_srcfile sf;
	struct pgd_diags d = PGD_DIAGS_INIT;
	make_src(&sf, "a\x01" "b");
	pgd_diags_add(&d, PGD_DIAG_ERROR, &sf, 2, "bad");
	char *out = print_diag_to_string(&d);
	ck_assert_str_eq(out, "pgdrift: m/001_x.sql:1:3: error: bad\n"
			      "    a^Ab\n"
			      "       ^\n");
	free(out);
	pgd_diags_release(&d);
	pgd_srcfile_release(&sf);
}
END_TEST

START_TEST(error_set_and_print)
{
	struct pgd_error err = PGD_ERROR_INIT;
	ck_assert_int_eq(pgd_error_set(&err, 4, "cannot connect: %s", "x"), -1);
	ck_assert_int_eq(err.exit_code, 4);
	pgd_error_set(&err, 3, "second"); /* releases the first message */
	ck_assert_str_eq(err.message, "second");
	pgd_error_release(&err);
	ck_assert_ptr_null(err.message);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("util");
	tcase_add_test(tc, strbuf_grows_and_detaches);
	tcase_add_test(tc, strbuf_add_binary);
	tcase_add_loop_test(tc, ident_quoting, 0, PGD_NCASES(ident_cases));
	tcase_add_test(tc, literal_quoting);
	tcase_add_test(tc, srcfile_positions);
	tcase_add_test(tc, srcfile_no_newline);
	tcase_add_loop_test(tc, utf8_validation, 0, PGD_NCASES(utf8_cases));
	tcase_add_test(tc, utf8_offsets);
	tcase_add_test(tc, diag_gnu_format_with_caret);
	tcase_add_test(tc, diag_control_chars_do_not_shift_caret);
	tcase_add_test(tc, error_set_and_print);
	suite_add_tcase(s, tc);
	return pgd_run_suite(s);
}
