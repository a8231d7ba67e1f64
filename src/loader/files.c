/*
 * files.c - finding and ordering migration files. Nothing here reads a
 * file's content; see replay.c for that.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pgdrift/migrations.h"
#include "pgdrift/strbuf.h"

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Splits a file name into version and label. Returns 1 for a migration,
 * 0 for a .sql file to skip (with *why), -1 for not a .sql file at all.
 */
static int classify(const char *name, char **version, char **label,
		    const char **why)
{
	if (!ends_with(name, ".sql"))
		return -1;
	size_t len = strlen(name) - 4;
	if (ends_with(name, ".down.sql")) {
		*why = "a down migration";
		return 0;
	}
	if (ends_with(name, ".up.sql"))
		len -= 3;
	if (name[0] == 'V' && is_digit(name[1])) { /* Flyway V1_2__name */
		const char *sep = strstr(name, "__");
		if (!sep || (size_t)(sep - name) > len) {
			*why = "a Flyway name without \"__\"";
			return 0;
		}
		struct pgd_strbuf v = PGD_STRBUF_INIT;
		for (const char *p = name + 1; p < sep; p++)
			pgd_strbuf_addch(&v, *p == '_' ? '.' : *p);
		*version = pgd_strbuf_detach(&v, NULL);
		*label = pgd_xstrndup(sep + 2, len - (size_t)(sep + 2 - name));
		return 1;
	}
	if ((name[0] == 'U' || name[0] == 'R') &&
	    (is_digit(name[1]) || name[1] == '_')) {
		*why = name[0] == 'U' ? "a Flyway undo migration"
				      : "a Flyway repeatable migration";
		return 0;
	}
	size_t d = 0;
	while (d < len && is_digit(name[d]))
		d++;
	if (d == 0) {
		*why = "its name does not start with a version number";
		return 0;
	}
	*version = pgd_xstrndup(name, d);
	size_t l0 = d < len && name[d] == '_' ? d + 1 : d;
	*label = pgd_xstrndup(name + l0, len - l0);
	return 1;
}

/* Compares version strings: numerically part by part ("1.10" > "1.9"). */
static int cmp_version(const char *a, const char *b)
{
	while (*a || *b) {
		while (*a == '0' && is_digit(a[1]))
			a++;
		while (*b == '0' && is_digit(b[1]))
			b++;
		size_t la = 0, lb = 0;
		while (is_digit(a[la]))
			la++;
		while (is_digit(b[lb]))
			lb++;
		if (la != lb)
			return la < lb ? -1 : 1;
		int c = strncmp(a, b, la);
		if (c)
			return c;
		a += la;
		b += lb;
		if (*a != *b)
			return *a ? (*b ? (*a < *b ? -1 : 1) : 1) : -1;
		if (*a)
			a++, b++;
	}
	return 0;
}

int pgd_migrations_cmp_version(const char *a, const char *b)
{
	return cmp_version(a, b);
}

/* A Supabase CLI name: <digits>_<name>.sql (not golang-migrate's .up.sql) */
static bool cli_name(const char *name)
{
	return is_digit(name[0]) && !ends_with(name, ".up.sql");
}

static int cmp_by_name(const void *x, const void *y)
{
	const struct pgd_migration_file *a = *(const struct pgd_migration_file *const *)x;
	const struct pgd_migration_file *b = *(const struct pgd_migration_file *const *)y;
	return strcmp(a->name, b->name);
}

static int cmp_file(const void *x, const void *y)
{
	const struct pgd_migration_file *a = x, *b = y;
	int c = cmp_version(a->version, b->version);
	return c ? c : strcmp(a->name, b->name);
}

int pgd_migrations_find(const char *dir, struct pgd_migration_set **out,
			struct pgd_diags *diags)
{
	*out = NULL;
	size_t errors_before = diags->nerrors;
	struct stat st;
	if (stat(dir, &st) < 0) {
		struct pgd_diag *d = pgd_diags_add_path(diags, PGD_DIAG_ERROR, dir,
			"cannot read the migrations directory: %s", strerror(errno));
		if (errno == ELOOP)
			d->hint = pgd_xstrdup("the path is a symbolic link loop");
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		pgd_diags_add_path(diags, PGD_DIAG_ERROR, dir,
				   "not a directory (--migrations takes the folder of migration files)");
		return -1;
	}
	DIR *dh = opendir(dir);
	if (!dh) {
		pgd_diags_add_path(diags, PGD_DIAG_ERROR, dir,
				   "cannot open the migrations directory: %s",
				   strerror(errno));
		return -1;
	}
	struct pgd_migration_set *set = pgd_xcalloc(1, sizeof(*set));
	size_t alloc = 0, nentries = 0;
	set->dir = pgd_xstrdup(dir);
	struct dirent *de;
	/* errno is reset before every readdir: only its own failure counts */
	while ((errno = 0, de = readdir(dh)) != NULL) {
		const char *name = de->d_name;
		if (name[0] == '.')
			continue;
		nentries++;
		char *version = NULL, *label = NULL;
		const char *why = NULL;
		int k = classify(name, &version, &label, &why);
		if (k < 0)
			continue;
		char *path = pgd_xasprintf("%s/%s", dir, name);
		struct stat fst;
		if (stat(path, &fst) < 0) {
			pgd_diags_add_path(diags, PGD_DIAG_ERROR, path,
					   "cannot read migration file: %s",
					   strerror(errno));
			free(path);
			free(version);
			free(label);
			continue;
		}
		if (!S_ISREG(fst.st_mode)) {
			pgd_diags_add_path(diags, PGD_DIAG_WARNING, path,
					   "skipped: not a regular file");
			free(path);
			free(version);
			free(label);
			set->nskipped++;
			continue;
		}
		if (k == 0) {
			pgd_diags_add_path(diags, PGD_DIAG_WARNING, path,
					   "skipped: %s", why);
			free(path);
			set->nskipped++;
			continue;
		}
		PGD_GROW(set->files, alloc, set->nfiles + 1);
		struct pgd_migration_file *f = &set->files[set->nfiles++];
		memset(f, 0, sizeof(*f));
		f->path = path;
		f->name = pgd_xstrdup(name);
		f->version = version;
		f->label = label;
	}
	int rerr = errno;
	closedir(dh);
	if (rerr) {
		pgd_diags_add_path(diags, PGD_DIAG_ERROR, dir,
				   "cannot list the migrations directory: %s",
				   strerror(rerr));
		pgd_migration_set_free(set);
		return -1;
	}
	if (set->nfiles == 0) {
		struct pgd_diag *d = pgd_diags_add_path(diags, PGD_DIAG_ERROR, dir,
			nentries ? "no migration files in the directory"
				 : "the migrations directory is empty");
		d->hint = pgd_xstrdup("pgdrift reads <version>_<name>.sql, "
				      "V<version>__<name>.sql and *.up.sql files");
		pgd_migration_set_free(set);
		return -2;
	}
	if (set->nfiles > 1)
		qsort(set->files, set->nfiles, sizeof(*set->files), cmp_file);
	for (size_t i = 1; i < set->nfiles; i++)
		if (cmp_version(set->files[i - 1].version,
				set->files[i].version) == 0) {
			struct pgd_diag *d = pgd_diags_add_path(
				diags, PGD_DIAG_WARNING, set->files[i].path,
				"duplicate migration version %s (also %s)",
				set->files[i].version, set->files[i - 1].name);
			d->hint = pgd_xstrdup(
				"files sharing a version are replayed in name "
				"order; a migration runner may apply only one of them");
		}
	bool all_cli = true;
	for (size_t i = 0; i < set->nfiles && all_cli; i++)
		all_cli = cli_name(set->files[i].name);
	if (all_cli) {
		/* sorted as pointers, so no state outside the set */
		const struct pgd_migration_file **byname =
			pgd_xcalloc(set->nfiles, sizeof(*byname));
		for (size_t i = 0; i < set->nfiles; i++)
			byname[i] = &set->files[i];
		qsort(byname, set->nfiles, sizeof(*byname), cmp_by_name);
		set->order = pgd_xcalloc(set->nfiles, sizeof(*set->order));
		for (size_t i = 0; i < set->nfiles; i++)
			set->order[i] = (size_t)(byname[i] - set->files);
		free(byname);
	}
	/* The Supabase CLI applies <version>_<name>.sql in file name byte
	 * order (os.ReadDir), not by version number: "20251021123456_a.sql"
	 * comes before "20251021_b.sql".  Say so where the two orders
	 * disagree (a sequence is sorted iff every adjacent pair is). */
	for (size_t i = 1; i < set->nfiles; i++) {
		const struct pgd_migration_file *a = &set->files[i - 1];
		const struct pgd_migration_file *b = &set->files[i];
		if (!all_cli)
			continue;
		if (strcmp(a->name, b->name) > 0) {
			struct pgd_diag *d = pgd_diags_add_path(
				diags, PGD_DIAG_WARNING, b->path,
				"migration order by version number (%s before %s) "
				"differs from file name order (%s before %s)",
				a->name, b->name, b->name, a->name);
			d->hint = pgd_xstrdup(
				"pgdrift replays them in name order, as the Supabase "
				"CLI applies them; a runner ordering by number "
				"would differ: give every version the same number "
				"of digits");
		}
	}
	if (diags->nerrors > errors_before) {
		pgd_migration_set_free(set);
		return -2; /* a migration file cannot be read */
	}
	*out = set;
	return 0;
}

void pgd_migration_set_free(struct pgd_migration_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->nfiles; i++) {
		struct pgd_migration_file *f = &set->files[i];
		free(f->path);
		free(f->name);
		free(f->version);
		free(f->label);
		if (f->src.text || f->src.path)
			pgd_srcfile_release(&f->src);
	}
	free(set->files);
	free(set->order);
	free(set->dir);
	free(set);
}
