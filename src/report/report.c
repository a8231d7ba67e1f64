/*
 * report.c - the dispatch table of output formats.
 */
#include <string.h>

#include "pgdrift/report.h"

static const struct {
	const char *name;
	pgd_reporter fn;
} formats[] = {
	{ "text", pgd_report_text },
	{ "json", pgd_report_json },
	{ "markdown", pgd_report_markdown },
	{ "sarif", pgd_report_sarif },
	{ "junit", pgd_report_junit },
	{ "codequality", pgd_report_codequality },
};

pgd_reporter pgd_report_find(const char *format)
{
	for (size_t i = 0; i < PGD_ARRAY_SIZE(formats); i++)
		if (!strcmp(formats[i].name, format))
			return formats[i].fn;
	return NULL;
}

static const struct {
	const char *name;
	pgd_fleet_reporter fn;
} fleet_formats[] = {
	{ "text", pgd_report_fleet_text },
	{ "json", pgd_report_fleet_json },
	{ "markdown", pgd_report_fleet_markdown },
	{ "sarif", pgd_report_fleet_sarif },
	{ "junit", pgd_report_fleet_junit },
	{ "codequality", pgd_report_fleet_codequality },
};

pgd_fleet_reporter pgd_report_fleet_find(const char *format)
{
	for (size_t i = 0; i < PGD_ARRAY_SIZE(fleet_formats); i++)
		if (!strcmp(fleet_formats[i].name, format))
			return fleet_formats[i].fn;
	return NULL;
}

const char *pgd_report_formats(void)
{
	return "text, json, markdown, sarif, junit, codequality";
}
