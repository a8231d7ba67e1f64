/*
 * fleet.c - many databases, one thread: up to K asynchronous catalog
 * readers at once (catalog.h), a poll() over their sockets, and as each
 * read completes its diff and RLS review, after which its model is freed.
 * Only the findings stay, so memory grows with K, not with the fleet.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pgdrift/catalog.h"
#include "pgdrift/fleet.h"
#include "pgdrift/strbuf.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

struct slot {
	size_t idx;                   /* into the list and the results */
	struct pgd_catalog_async *a;
	double deadline;
};

/* The checks of one database over its model, which it then frees. */
static void audit(const struct pgd_fleet_options *o, struct pgd_fleet_result *res,
		  struct pgd_schema *act)
{
	struct pgd_findings *f = &res->findings;
	if (o->expected) {
		pgd_diff(o->expected, act, o->diff, f);
		pgd_findings_sort(f);
	}
	if (o->rls) {
		struct pgd_rls_matrix mx = { 0 };
		pgd_rls_review(act, o->rls, f, &mx);
		if (o->expected)
			pgd_diff_locate(f, o->expected);
		pgd_findings_sort(f);
		if (!o->expected) {
			res->tables = pgd_xcalloc(mx.n + 1, sizeof(char *));
			for (size_t i = 0; i < mx.n; i++)
				res->tables[i] = pgd_xstrdup(mx.rows[i].table);
			res->ntables = mx.n;
		}
		pgd_rls_matrix_release(&mx);
	}
	if (o->expected)
		res->tables = pgd_diff_audited_tables(o->expected, act, o->diff,
						      &res->ntables);
	pgd_schema_free(act);
}

/* A read is over: its result, and the slot is free. */
static void complete(const struct pgd_fleet_options *o, struct slot *s,
		     struct pgd_fleet_results *out)
{
	struct pgd_fleet_result *res = &out->v[s->idx];
	struct pgd_schema *act = NULL;
	struct pgd_catalog_stats stats = { 0 };
	struct pgd_error err = PGD_ERROR_INIT;
	if (pgd_catalog_async_finish(s->a, &act, &stats, &err) == 0) {
		audit(o, res, act);
	} else {
		/* trailing blanks and newlines of libpq's message */
		char *m = pgd_xstrdup(err.message ? err.message : "unknown error");
		size_t n = strlen(m);
		while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
			m[--n] = '\0';
		res->error = m;
		res->exit_code = err.exit_code ? err.exit_code : PGD_EXIT_DB;
	}
	res->server_version = stats.server_version;
	res->ms = stats.ms;
	if (o->verbose)
		fprintf(stderr, "pgdrift: fleet %s: %s, %zu finding%s, %.1f ms\n",
			res->name, res->error ? "error" : "read",
			res->findings.n, res->findings.n == 1 ? "" : "s", res->ms);
	pgd_error_release(&err);
	s->a = NULL;
}

int pgd_fleet_run(const struct pgd_fleet_list *l, const struct pgd_fleet_options *o,
		  struct pgd_fleet_results *out)
{
	memset(out, 0, sizeof(*out));
	out->v = pgd_xcalloc(l->n + 1, sizeof(*out->v));
	out->n = out->alloc = l->n;
	for (size_t i = 0; i < l->n; i++)
		out->v[i].name = pgd_xstrdup(l->v[i].name);
	size_t k = o->jobs > 0 ? (size_t)o->jobs : 4;
	if (k > l->n)
		k = l->n;
	int timeout = o->timeout_ms > 0 ? o->timeout_ms : 30000;
	/* a whole read: connecting, the transaction and every query */
	double budget = 2.0 * timeout + 10000;
	struct slot *slots = pgd_xcalloc(k + 1, sizeof(*slots));
	struct pollfd *pfds = pgd_xcalloc(k + 1, sizeof(*pfds));
	size_t next = 0, active = 0;
	while (next < l->n || active) {
		while (active < k && next < l->n) {
			struct pgd_catalog_options co = { l->v[next].conninfo,
							  o->timeout_ms, false, 1 };
			slots[active].idx = next;
			slots[active].a = pgd_catalog_async_start(&co);
			slots[active].deadline = now_ms() + budget;
			active++;
			next++;
		}
		double now = now_ms(), first = now + 1000;
		for (size_t i = 0; i < active; i++) {
			struct pgd_catalog_async *a = slots[i].a;
			int fd = pgd_catalog_async_fd(a), want = pgd_catalog_async_want(a);
			pfds[i].fd = fd;
			pfds[i].events = (short)((want & PGD_CATALOG_WANT_READ ? POLLIN : 0) |
						 (want & PGD_CATALOG_WANT_WRITE ? POLLOUT : 0));
			pfds[i].revents = 0;
			if (slots[i].deadline < first)
				first = slots[i].deadline;
		}
		int wait = first > now ? (int)(first - now) + 1 : 0;
		/* a reader with no socket (it failed at once) is stepped below */
		for (size_t i = 0; i < active; i++)
			if (pfds[i].fd < 0)
				wait = 0;
		if (poll(pfds, active, wait) < 0) {
			if (errno == EINTR)
				continue;
			PGD_BUG("poll: %s", strerror(errno));
		}
		now = now_ms();
		for (size_t i = 0; i < active;) {
			struct slot *s = &slots[i];
			enum pgd_catalog_progress p = PGD_CATALOG_AGAIN;
			if (pfds[i].fd < 0 || pfds[i].revents)
				p = pgd_catalog_async_step(s->a);
			if (p == PGD_CATALOG_AGAIN && now > s->deadline) {
				char *why = pgd_xasprintf(
					"the database was not read within %.0f s "
					"(connecting, or a query did not answer)",
					budget / 1000);
				pgd_catalog_async_cancel(s->a, why);
				free(why);
				p = PGD_CATALOG_FAILED;
			}
			if (p == PGD_CATALOG_AGAIN) {
				i++;
				continue;
			}
			complete(o, s, out);
			/* the last slot takes this one's place (and its pollfd) */
			active--;
			slots[i] = slots[active];
			pfds[i] = pfds[active];
		}
	}
	free(pfds);
	free(slots);
	return 0;
}

static int cmp_result(const void *a, const void *b)
{
	return strcmp(((const struct pgd_fleet_result *)a)->name,
		      ((const struct pgd_fleet_result *)b)->name);
}

void pgd_fleet_results_sort(struct pgd_fleet_results *r)
{
	if (r->n > 1)
		qsort(r->v, r->n, sizeof(*r->v), cmp_result);
}

int pgd_fleet_exit(const struct pgd_fleet_results *r)
{
	int worst = PGD_EXIT_OK;
	for (size_t i = 0; i < r->n; i++) {
		if (r->v[i].error)
			return PGD_EXIT_DB;
		if (r->v[i].exit_code > worst)
			worst = r->v[i].exit_code;
	}
	return worst;
}

struct pgd_fleet_db *pgd_fleet_report_rows(const struct pgd_fleet_results *r)
{
	struct pgd_fleet_db *rows = pgd_xcalloc(r->n + 1, sizeof(*rows));
	for (size_t i = 0; i < r->n; i++) {
		const struct pgd_fleet_result *x = &r->v[i];
		rows[i] = (struct pgd_fleet_db){
			x->name, x->error, x->exit_code, &x->findings,
			(const char *const *)x->tables, x->ntables, x->suppressed,
		};
	}
	return rows;
}

void pgd_fleet_results_release(struct pgd_fleet_results *r)
{
	for (size_t i = 0; i < r->n; i++) {
		struct pgd_fleet_result *x = &r->v[i];
		free(x->name);
		free(x->error);
		pgd_findings_release(&x->findings);
		for (size_t t = 0; t < x->ntables; t++)
			free(x->tables[t]);
		free(x->tables);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}
