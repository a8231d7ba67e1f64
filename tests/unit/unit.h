/*
 * unit.h - the one main() every Check test executable shares. Output mode
 * comes from the environment (meson sets CK_TAP_LOG_FILE_NAME=- and
 * CK_VERBOSITY=silent so stdout is pure TAP and every case is counted).
 */
#ifndef PGDRIFT_TEST_UNIT_H
#define PGDRIFT_TEST_UNIT_H

#include <check.h>
#include <stdlib.h>

#define PGD_NCASES(arr) ((int)(sizeof(arr) / sizeof((arr)[0])))

static inline int pgd_run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
